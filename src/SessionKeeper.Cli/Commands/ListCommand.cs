using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SessionKeeper.Sessions;

namespace SessionKeeper.Cli.Commands;

/// <summary><c>keeper list</c>: the screen, tmux and vnc sessions of the calling user.</summary>
internal static class ListCommand
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print a JSON document ({\"sessions\": [...]}, per session: name, kind, pid, processes, residentBytes, "
                + "attached, aliases, socket, sessions, clients, details) instead of the table.",
        };
        var list = new Command(
            "list",
            "List your screen, tmux and vnc sessions: the name `keeper save NAME` takes, the kind, the root pid of "
            + "the process tree that is saved, how many processes it has, their resident memory, and whether a "
            + "client (a screen/tmux terminal, a VNC viewer) is attached. With --verbose also each session's "
            + "socket, windows or sessions, clients and other names it answers to.")
        {
            json,
        };
        CommandRunner.SetHandler(list, (parseResult, stdout) =>
        {
            IReadOnlyList<SessionInfo> sessions = SessionFinder.List();
            if (parseResult.GetValue(json))
            {
                WriteJson(sessions, stdout);
            }
            else
            {
                WriteTable(sessions, stdout, parseResult.GetValue(CommandRunner.Verbose));
            }
            return ReturnCode.Success;
        });
        return list;
    }

    private static void WriteTable(IReadOnlyList<SessionInfo> sessions, TextWriter stdout, bool verbose)
    {
        if (sessions.Count == 0)
        {
            stdout.WriteLine("no screen, tmux or vnc sessions are running for you (start one with `screen -S NAME`, "
                + "`tmux new -s NAME` or `vncserver`); `keeper save --pid PID NAME` saves any other process tree");
            return;
        }
        string[] header = ["NAME", "KIND", "PID", "PROCS", "MEMORY", "ATTACHED"];
        List<string[]> rows = sessions.Select(s => new[]
        {
            s.Name,
            SessionInfo.KindName(s.Kind),
            s.RootPid.ToString(CultureInfo.InvariantCulture),
            s.ProcessCount.ToString(CultureInfo.InvariantCulture),
            FormatBytes(s.ResidentBytes),
            s.Attached ? "yes" : "no",
        }).ToList();
        int[] widths = Enumerable.Range(0, header.Length)
            .Select(c => rows.Select(row => row[c].Length).Append(header[c].Length).Max())
            .ToArray();

        var text = new StringBuilder();
        AppendRow(text, header, widths);
        for (int i = 0; i < rows.Count; i++)
        {
            AppendRow(text, rows[i], widths);
            if (verbose)
            {
                SessionInfo session = sessions[i];
                if (session.Aliases.Count > 0)
                {
                    text.Append("  -> also answers to: ").Append(string.Join(", ", session.Aliases)).Append('\n');
                }
                foreach (string detail in session.Details)
                {
                    text.Append("  -> ").Append(detail).Append('\n');
                }
            }
        }
        stdout.Write(text.ToString());
        stdout.Flush();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (int c = 0; c < cells.Length - 1; c++)
        {
            // Numbers right-aligned, text left-aligned.
            text.Append(c is 2 or 3 or 4 ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c])).Append("  ");
        }
        text.Append(cells[^1]).Append('\n');
    }

    /// <summary>Memory in binary units with one decimal: "812 KiB", "12.4 MiB".</summary>
    internal static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 || value >= 100
            ? string.Create(CultureInfo.InvariantCulture, $"{value:F0} {units[unit]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value:F1} {units[unit]}");
    }

    private static void WriteJson(IReadOnlyList<SessionInfo> sessions, TextWriter stdout)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            // Read by people and scripts, never embedded in HTML: keep names as they are.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("sessions");
            foreach (SessionInfo session in sessions)
            {
                WriteSession(writer, session);
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        stdout.Write(s_utf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        stdout.Write('\n');
        stdout.Flush();
    }

    private static void WriteSession(Utf8JsonWriter writer, SessionInfo session)
    {
        writer.WriteStartObject();
        writer.WriteString("name", session.Name);
        writer.WriteString("kind", SessionInfo.KindName(session.Kind));
        writer.WriteNumber("pid", session.RootPid);
        writer.WriteNumber("processes", session.ProcessCount);
        writer.WriteNumber("residentBytes", session.ResidentBytes);
        writer.WriteBoolean("attached", session.Attached);
        WriteStrings(writer, "aliases", session.Aliases);
        if (session.SocketPath is not null)
        {
            writer.WriteString("socket", session.SocketPath);
        }
        if (session.Kind == SessionKind.Tmux)
        {
            WriteStrings(writer, "sessions", session.HeldSessions);
        }
        writer.WriteStartArray("clients");
        foreach (SessionClient client in session.Clients)
        {
            writer.WriteStartObject();
            if (client.Pid > 0)
            {
                writer.WriteNumber("pid", client.Pid);
            }
            writer.WriteString(session.Kind == SessionKind.Vnc ? "address" : "terminal", client.Terminal);
            if (client.Session is not null)
            {
                writer.WriteString("session", client.Session);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        WriteStrings(writer, "details", session.Details);
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }
}
