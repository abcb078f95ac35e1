using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SessionKeeper.Images;
using SessionKeeper.Store;
using Img = SessionKeeper.Images.V1;

namespace SessionKeeper.Cli.Commands;

/// <summary><c>keeper snapshots</c> and <c>keeper show</c>: what the store holds.</summary>
internal static class SnapshotsCommand
{
    /// <summary><c>keeper snapshots [--json | --names]</c>.</summary>
    public static Command Create()
    {
        var json = StoreCli.JsonOption();
        var names = new Option<bool>("--names") { Description = "Print only the snapshot names, one per line (for shell completion)." };
        var command = new Command("snapshots", "List the snapshots: name@generation, kind, time, processes, size on disk, size of memory.") { json, names };
        StoreCli.SetHandler(command, (parse, stdout) =>
        {
            SnapshotStore store;
            try
            {
                store = StoreCli.Open(parse, create: false);
            }
            catch (StoreException) when (parse.GetValue(names) || parse.GetValue(json))
            {
                // Completion and scripts see an empty list, not an error, before the first save.
                stdout.Write(parse.GetValue(json) ? "[]\n" : "");
                return ReturnCode.Success;
            }
            if (parse.GetValue(names))
            {
                foreach (string name in store.Names())
                {
                    stdout.WriteLine(name);
                }
                return ReturnCode.Success;
            }
            List<Generation> all = store.All();
            if (parse.GetValue(json))
            {
                WriteJson(stdout, w =>
                {
                    w.WriteStartArray();
                    foreach (Generation generation in all)
                    {
                        WriteSummary(w, store, generation);
                    }
                    w.WriteEndArray();
                });
                return ReturnCode.Success;
            }
            if (all.Count == 0)
            {
                Console.Error.WriteLine($"no snapshots in {store.Root}");
                return ReturnCode.Success;
            }
            var rows = new List<string[]> { new[] { "NAME", "KIND", "SAVED", "PROCS", "DISK", "MEMORY", "STATE" } };
            foreach (Generation g in all)
            {
                rows.Add([
                    g.Spec,
                    g.Manifest.Session?.Kind ?? "",
                    g.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    (g.Manifest.Session?.Processes.Count ?? 0).ToString(CultureInfo.InvariantCulture),
                    StoreCli.Size(g.DiskBytes),
                    StoreCli.Size((long)g.Manifest.MemoryBytes),
                    SnapshotRestorer.IsRunning(store, g) ? "running" : (g.Manifest.Stopped ? "stopped" : "saved"),
                ]);
            }
            int[] widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (string[] row in rows)
            {
                stdout.WriteLine(string.Join("  ", row.Select((cell, c) => c is 3 or 4 or 5 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
            }
            return ReturnCode.Success;
        });
        return command;
    }

    /// <summary><c>keeper show NAME[@GEN] [--json]</c>.</summary>
    public static Command CreateShow()
    {
        var name = new Argument<string>("NAME") { Description = "Snapshot: NAME (newest generation), NAME@N or NAME@auto." };
        var json = StoreCli.JsonOption();
        var command = new Command("show", "Show what a snapshot holds: the process tree with commands, ptys, sockets and files.") { name, json };
        StoreCli.SetHandler(command, (parse, stdout) =>
        {
            SnapshotStore store = StoreCli.Open(parse, create: false);
            Generation generation = store.Resolve(parse.GetValue(name)!);
            List<ShownProcess> processes = ReadTree(generation);
            if (parse.GetValue(json))
            {
                WriteJson(stdout, w =>
                {
                    w.WriteStartObject();
                    w.WritePropertyName("snapshot");
                    WriteSummary(w, store, generation);
                    w.WriteStartArray("processes");
                    foreach (ShownProcess p in processes)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("pid", p.Pid);
                        w.WriteNumber("ppid", p.Ppid);
                        w.WriteString("command", p.Command);
                        w.WriteNumber("threads", p.Threads);
                        w.WriteBoolean("zombie", p.Zombie);
                        w.WriteStartArray("fds");
                        foreach ((uint fd, string what) in p.Fds)
                        {
                            w.WriteStartObject();
                            w.WriteNumber("fd", fd);
                            w.WriteString("file", what);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return ReturnCode.Success;
            }
            var m = generation.Manifest;
            stdout.WriteLine($"{generation.Spec}: {m.Session?.Kind} {m.Session?.SessionName}, saved {generation.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}" +
                $"{(m.Stopped ? " and ended" : "")}, {processes.Count} process(es), {StoreCli.Size((long)m.MemoryBytes)} of memory, {StoreCli.Size(generation.DiskBytes)} on disk" +
                (m.ImportedFrom.Length > 0 ? $", imported from {m.ImportedFrom}" : ""));
            var children = processes.ToLookup(p => p.Ppid);
            var pids = processes.Select(p => p.Pid).ToHashSet();
            void Print(ShownProcess p, string indent)
            {
                stdout.WriteLine($"{indent}{p.Pid} {p.Command}{(p.Threads > 1 ? $" ({p.Threads} threads)" : "")}{(p.Zombie ? " <zombie>" : "")}");
                foreach ((uint fd, string what) in p.Fds)
                {
                    stdout.WriteLine($"{indent}    fd {fd}: {what}");
                }
                foreach (ShownProcess child in children[p.Pid])
                {
                    Print(child, indent + "  ");
                }
            }
            foreach (ShownProcess root in processes.Where(p => !pids.Contains(p.Ppid)))
            {
                Print(root, "");
            }
            return ReturnCode.Success;
        });
        return command;
    }

    private sealed record ShownProcess(uint Pid, uint Ppid, string Command, int Threads, bool Zombie, List<(uint Fd, string What)> Fds);

    private static List<ShownProcess> ReadTree(Generation generation)
    {
        string Image(string name) => Path.Combine(generation.Directory, name);
        var files = File.Exists(Image("files.img")) ? ImageReader.ReadFile<Img.FileEntry>(Image("files.img")).ToDictionary(f => f.Id) : [];
        var result = new List<ShownProcess>();
        foreach (Img.PstreeEntry entry in ImageReader.ReadFile<Img.PstreeEntry>(Image("pstree.img")))
        {
            bool zombie = entry.State == Img.ProcessState.Zombie;
            string command = "";
            var fds = new List<(uint, string)>();
            if (!zombie && File.Exists(Image($"core-{entry.Pid}.img")))
            {
                Img.Core core = ImageReader.ReadFile<Img.Core>(Image($"core-{entry.Pid}.img"))[0];
                command = core.Threads.Count > 0 ? core.Threads[0].Comm : "";
                if (core.Exe.Length > 0)
                {
                    command += $" [{core.Exe}]";
                }
            }
            if (File.Exists(Image($"fdinfo-{entry.Pid}.img")))
            {
                foreach (Img.FdEntry fd in ImageReader.ReadFile<Img.FdEntry>(Image($"fdinfo-{entry.Pid}.img")))
                {
                    fds.Add((fd.Fd, files.TryGetValue(fd.FileId, out Img.FileEntry? file) ? Describe(file) : $"file id {fd.FileId} (missing from files.img)"));
                }
            }
            result.Add(new ShownProcess(entry.Pid, entry.Ppid, command, entry.Threads.Count, zombie, fds));
        }
        return result;
    }

    private static string Describe(Img.FileEntry file) => file.KindCase switch
    {
        Img.FileEntry.KindOneofCase.Regular => $"file {file.Regular.Path}{(file.Regular.Deleted ? " (deleted, contents saved)" : "")}",
        Img.FileEntry.KindOneofCase.Pipe => $"pipe {file.Pipe.PipeId}",
        Img.FileEntry.KindOneofCase.Fifo => $"fifo {file.Fifo.Path}",
        Img.FileEntry.KindOneofCase.UnixSocket => $"unix socket {file.UnixSocket.Type.ToString().ToLowerInvariant()} {file.UnixSocket.State.ToString().ToLowerInvariant()}" +
            file.UnixSocket.NameCase switch
            {
                Img.UnixSocket.NameOneofCase.Path => $" {file.UnixSocket.Path}",
                Img.UnixSocket.NameOneofCase.AbstractName => $" @{Encoding.UTF8.GetString(file.UnixSocket.AbstractName.Span)}",
                _ => "",
            },
        Img.FileEntry.KindOneofCase.Tty => $"pty {file.Tty.Kind.ToString().ToLowerInvariant()} {file.Tty.Index}",
        Img.FileEntry.KindOneofCase.InetSocket => $"inet socket {file.InetSocket.State.ToString().ToLowerInvariant()} port {file.InetSocket.LocalPort}",
        Img.FileEntry.KindOneofCase.None => "unknown kind",
        _ => file.KindCase.ToString().ToLowerInvariant(),
    };

    private static void WriteSummary(Utf8JsonWriter w, SnapshotStore store, Generation g)
    {
        var m = g.Manifest;
        w.WriteStartObject();
        w.WriteString("name", g.Name);
        w.WriteString("generation", g.Id);
        w.WriteString("kind", m.Session?.Kind ?? "");
        w.WriteString("session", m.Session?.SessionName ?? "");
        w.WriteString("saved", g.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        w.WriteNumber("processes", m.Session?.Processes.Count ?? 0);
        w.WriteNumber("root_pid", m.Session?.RootPid ?? 0);
        w.WriteNumber("disk_bytes", g.DiskBytes);
        w.WriteNumber("memory_bytes", m.MemoryBytes);
        w.WriteNumber("resident_bytes", m.ResidentBytes);
        w.WriteNumber("new_stored_bytes", m.NewStoredBytes);
        w.WriteBoolean("stopped", m.Stopped);
        w.WriteBoolean("running", SnapshotRestorer.IsRunning(store, g));
        w.WriteString("imported_from", m.ImportedFrom);
        w.WriteEndObject();
    }

    private static void WriteJson(TextWriter stdout, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }
        stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
