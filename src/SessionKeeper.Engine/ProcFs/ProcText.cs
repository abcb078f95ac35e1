using System.Globalization;

namespace SessionKeeper.Engine.ProcFs;

/// <summary>Span helpers shared by the /proc parsers: tokens, lines and numbers, without allocation.</summary>
internal static class ProcText
{
    /// <summary>Cuts the next line (without its '\n') off <paramref name="text"/>; false at the end.</summary>
    public static bool NextLine(ref ReadOnlySpan<char> text, out ReadOnlySpan<char> line)
    {
        if (text.IsEmpty)
        {
            line = default;
            return false;
        }
        int newline = text.IndexOf('\n');
        if (newline < 0)
        {
            line = text;
            text = default;
        }
        else
        {
            line = text[..newline];
            text = text[(newline + 1)..];
        }
        return true;
    }

    /// <summary>Cuts the next whitespace-separated token off <paramref name="text"/> (empty at the end).</summary>
    public static ReadOnlySpan<char> NextToken(ref ReadOnlySpan<char> text)
    {
        text = text.TrimStart(" \t");
        int end = text.IndexOfAny(' ', '\t');
        if (end < 0)
        {
            end = text.Length;
        }
        ReadOnlySpan<char> token = text[..end];
        text = text[end..];
        return token;
    }

    /// <summary>Splits "Key:\tvalue" into key and trimmed value; false if the line has no ':'.</summary>
    public static bool SplitKeyValue(ReadOnlySpan<char> line, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        int colon = line.IndexOf(':');
        if (colon < 0)
        {
            key = default;
            value = default;
            return false;
        }
        key = line[..colon];
        value = line[(colon + 1)..].Trim(" \t");
        return true;
    }

    public static ulong Hex(ReadOnlySpan<char> token, string what)
    {
        if (token.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            token = token[2..];
        }
        return ulong.TryParse(token, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw Bad(what, token);
    }

    public static ulong Dec(ReadOnlySpan<char> token, string what)
        => ulong.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw Bad(what, token);

    public static long SignedDec(ReadOnlySpan<char> token, string what)
        => long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw Bad(what, token);

    public static int Int(ReadOnlySpan<char> token, string what)
        => int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Bad(what, token);

    public static ulong Octal(ReadOnlySpan<char> token, string what)
    {
        if (token.IsEmpty)
        {
            throw Bad(what, token);
        }
        ulong value = 0;
        foreach (char c in token)
        {
            if (c is < '0' or > '7' || value >> 61 != 0)
            {
                throw Bad(what, token);
            }
            value = (value << 3) | (uint)(c - '0');
        }
        return value;
    }

    /// <summary>A "123 kB" value of smaps/status, in kB.</summary>
    public static ulong Kilobytes(ReadOnlySpan<char> value, string what)
    {
        if (value.EndsWith(" kB", StringComparison.Ordinal))
        {
            value = value[..^3].TrimEnd(' ');
        }
        return Dec(value.TrimStart(' '), what);
    }

    /// <summary>Whitespace-separated decimal ints ("NSpid:\t4242\t1").</summary>
    public static int[] IntList(ReadOnlySpan<char> value, string what)
    {
        var result = new int[CountTokens(value)];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Int(NextToken(ref value), what);
        }
        return result;
    }

    /// <summary>Whitespace-separated unsigned decimal ints ("Groups:\t24 27 4294967294").</summary>
    public static uint[] UIntList(ReadOnlySpan<char> value, string what)
    {
        var result = new uint[CountTokens(value)];
        for (int i = 0; i < result.Length; i++)
        {
            ulong id = Dec(NextToken(ref value), what);
            result[i] = id <= uint.MaxValue ? (uint)id : throw Bad(what, value);
        }
        return result;
    }

    private static int CountTokens(ReadOnlySpan<char> value)
    {
        int count = 0;
        while (!NextToken(ref value).IsEmpty)
        {
            count++;
        }
        return count;
    }

    public static FormatException Bad(string what, ReadOnlySpan<char> token)
        => new($"/proc parse error: {what} is not valid: '{token.ToString()}'");
}
