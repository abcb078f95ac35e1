using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.ProcFs;

/// <summary>A parser over the text of a /proc file, handed a span that lives only during the call.</summary>
internal delegate T TextParser<T>(ReadOnlySpan<char> text);

/// <summary>A parser over the raw bytes of a binary /proc file (auxv).</summary>
internal delegate T BytesParser<T>(ReadOnlySpan<byte> bytes);

/// <summary>
/// Readers of the /proc files the dump pipeline needs. Each file has a <c>TryRead…(pid, out …)</c>
/// that returns false when the process (or thread, or fd) is already gone, and a pure
/// <c>Parse…</c> over the file's text that tests feed with fixed samples.
/// </summary>
/// <remarks>
/// A process can exit between the moment it is listed and the moment its files are read: the
/// open then fails with ENOENT, or a read on a file opened earlier fails with ESRCH. Both are a
/// normal outcome here, not an error. Every other errno (EACCES, EPERM) is thrown, because it
/// means the engine lacks a privilege the dump needs. Text files are read whole into a pooled
/// buffer and parsed as spans, so a read costs one string per value the caller keeps.
/// </remarks>
public static partial class ProcFsReader
{
    private const int InitialBufferSize = 4096;

    private static string ProcPath(int pid, string file) => $"/proc/{pid}/{file}";

    private static string TaskPath(int pid, int tid, string file) => $"/proc/{pid}/task/{tid}/{file}";

    /// <summary>Reads a whole /proc text file and parses it; false when the process is gone.</summary>
    internal static bool TryParseFile<T>(string path, TextParser<T> parser, [MaybeNullWhen(false)] out T result)
    {
        if (!TryReadRaw(path, out byte[]? bytes, out int length))
        {
            result = default;
            return false;
        }
        char[]? chars = null;
        try
        {
            int charCount = Encoding.UTF8.GetMaxCharCount(length);
            chars = ArrayPool<char>.Shared.Rent(charCount);
            int decoded = Encoding.UTF8.GetChars(bytes, 0, length, chars, 0);
            result = parser(chars.AsSpan(0, decoded));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            if (chars is not null)
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }
    }

    /// <summary>Reads a whole binary /proc file and parses it; false when the process is gone.</summary>
    internal static bool TryParseBinaryFile<T>(string path, BytesParser<T> parser, [MaybeNullWhen(false)] out T result)
    {
        if (!TryReadRaw(path, out byte[]? bytes, out int length))
        {
            result = default;
            return false;
        }
        try
        {
            result = parser(bytes.AsSpan(0, length));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Reads a /proc file whole into a pooled buffer the caller returns; false when it is gone.</summary>
    private static bool TryReadRaw(string path, [NotNullWhen(true)] out byte[]? buffer, out int length)
    {
        buffer = null;
        length = 0;
        try
        {
            using SafeFd? fd = Interop.TryOpen(path, OpenFlags.O_RDONLY);
            if (fd is null)
            {
                return false;
            }
            // seq_file files report size 0 in fstat, so the buffer grows until read returns 0.
            byte[] bytes = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
            int count = 0;
            try
            {
                while (true)
                {
                    int n = Interop.Read(fd, bytes.AsSpan(count));
                    if (n == 0)
                    {
                        break;
                    }
                    count += n;
                    if (count == bytes.Length)
                    {
                        byte[] larger = ArrayPool<byte>.Shared.Rent(bytes.Length * 2);
                        bytes.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(bytes);
                        bytes = larger;
                    }
                }
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(bytes);
                throw;
            }
            buffer = bytes;
            length = count;
            return true;
        }
        catch (ErrnoException e) when (IsGone(e.Errno))
        {
            return false;
        }
    }

    /// <summary>readlink of a /proc link; null when the process or fd is gone.</summary>
    private static string? TryReadLink(string path)
    {
        try
        {
            return Interop.TryReadlink(path);
        }
        catch (ErrnoException e) when (IsGone(e.Errno))
        {
            return null;
        }
    }

    /// <summary>
    /// ENOENT: the /proc directory of the pid (or the fd entry) no longer exists. ESRCH: the
    /// file was opened while the task lived, and the task has since been released.
    /// </summary>
    internal static bool IsGone(Errno errno) => errno is Errno.ENOENT or Errno.ESRCH;
}
