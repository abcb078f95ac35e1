using System.CommandLine;
using SessionKeeper.Store;

namespace SessionKeeper.Cli.Commands;

/// <summary><c>keeper rm</c>, <c>gc</c>, <c>verify</c>, <c>export</c> and <c>import</c>.</summary>
internal static class StoreCommands
{
    /// <summary><c>keeper rm NAME[@GEN]...</c>.</summary>
    public static Command CreateRm()
    {
        var names = new Argument<string[]>("NAME") { Description = "NAME removes every generation of the snapshot; NAME@N or NAME@auto one generation.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove snapshots or single generations (`keeper gc` then frees their chunks).") { names };
        StoreCli.SetHandler(command, (parse, stdout) =>
        {
            SnapshotStore store = StoreCli.Open(parse, create: false);
            foreach (string spec in parse.GetValue(names)!)
            {
                (string name, string? generation) = SnapshotStore.ParseSpec(spec);
                using StoreLock nameLock = store.LockName(name, CommandRunner.Detail(parse));
                List<Generation> doomed = generation is null
                    ? store.GenerationDirectories(name).Select(g => Generation.Load(store, name, g)).ToList()
                    : [store.Resolve(spec)];
                if (doomed.Count == 0)
                {
                    throw new KeeperException($"no snapshot named '{name}' in {store.Root} (`keeper snapshots` lists them)");
                }
                foreach (Generation g in doomed)
                {
                    store.Remove(g);
                    stdout.WriteLine($"removed {g.Spec}");
                }
            }
            return ReturnCode.Success;
        });
        return command;
    }

    /// <summary><c>keeper gc</c>.</summary>
    public static Command CreateGc()
    {
        var command = new Command("gc", "Free the chunks no snapshot refers to and remove what interrupted saves left behind.");
        StoreCli.SetHandler(command, (parse, stdout) =>
        {
            GcResult result = GarbageCollector.Collect(StoreCli.Open(parse, create: false), CommandRunner.Detail(parse));
            stdout.WriteLine($"freed {StoreCli.Size(Math.Max(0, result.BytesFreed))}: {result.PacksDeleted} pack(s) deleted, {result.PacksRewritten} rewritten, {result.LeftoversRemoved} leftover(s) of interrupted commands removed");
            return ReturnCode.Success;
        });
        return command;
    }

    /// <summary><c>keeper verify NAME[@GEN]</c>.</summary>
    public static Command CreateVerify()
    {
        var name = new Argument<string>("NAME") { Description = "Snapshot: NAME (newest generation), NAME@N or NAME@auto." };
        var command = new Command("verify", "Check every image and chunk of a snapshot against its checksums.") { name };
        StoreCli.SetHandler(command, (parse, stdout) =>
        {
            SnapshotStore store = StoreCli.Open(parse, create: false);
            Generation generation = store.Resolve(parse.GetValue(name)!);
            using (var progress = new StoreCli.ProgressLine())
            {
                using StoreLock storeLock = store.LockStore(exclusive: false, CommandRunner.Detail(parse));
                SnapshotReader.Read(store, generation, output: null, p => progress.Show($"verifying {generation.Spec}: {StoreCli.Size(p.Done)} of {StoreCli.Size(p.Total)}"));
            }
            stdout.WriteLine($"{generation.Spec}: ok ({generation.Manifest.Files.Count} files, {generation.Manifest.Chunks.Count} chunks, {StoreCli.Size((long)generation.Manifest.MemoryBytes)} of memory)");
            return ReturnCode.Success;
        });
        return command;
    }

    /// <summary><c>keeper export NAME[@GEN] -o FILE|-</c>.</summary>
    public static Command CreateExport()
    {
        var name = new Argument<string>("NAME") { Description = "Snapshot: NAME (newest generation), NAME@N or NAME@auto." };
        var output = new Option<string>("--output", "-o") { Description = "File to write (mode 0600), or - for standard output.", Required = true };
        var command = new Command("export", "Write one snapshot as a single self-contained, checksummed file (e.g. `keeper export s -o - | ssh host keeper import -`).") { name, output };
        StoreCli.SetHandler(command, (parse, stdout) =>
        {
            SnapshotStore store = StoreCli.Open(parse, create: false);
            string target = parse.GetValue(output)!;
            using StoreLock storeLock = store.LockStore(exclusive: false, CommandRunner.Detail(parse));
            Generation generation = store.Resolve(parse.GetValue(name)!);
            if (target == "-")
            {
                using Stream standardOutput = Console.OpenStandardOutput();
                ExportFile.Export(store, generation, standardOutput);
                return ReturnCode.Success;
            }
            // Written beside the target and renamed at the end: a failed export leaves no partial file.
            string full = Path.GetFullPath(target);
            string temporary = $"{full}.keeper-{Environment.ProcessId}.tmp";
            long bytes;
            try
            {
                using (FileStream file = StoreFiles.CreateNew(temporary, 1 << 20))
                {
                    bytes = ExportFile.Export(store, generation, file);
                    file.Flush(flushToDisk: true);
                }
                File.Move(temporary, full, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }
            stdout.WriteLine($"exported {generation.Spec} to {full} ({StoreCli.Size(bytes)})");
            return ReturnCode.Success;
        });
        return command;
    }

    /// <summary><c>keeper import FILE|- [--as NAME]</c>.</summary>
    public static Command CreateImport()
    {
        var file = new Argument<string>("FILE") { Description = "File written by `keeper export`, or - for standard input." };
        var saveAs = new Option<string?>("--as") { Description = "Name to import under (default: the name it was exported under)." };
        var command = new Command("import", "Add a snapshot from an export file as the next generation of its name.") { file, saveAs };
        StoreCli.SetHandler(command, (parse, stdout) =>
        {
            SnapshotStore store = StoreCli.Open(parse, create: true);
            string source = parse.GetValue(file)!;
            Generation generation;
            if (source == "-")
            {
                using Stream standardInput = Console.OpenStandardInput();
                generation = ExportFile.Import(store, standardInput, "standard input", parse.GetValue(saveAs), CommandRunner.Detail(parse));
            }
            else
            {
                FileStream input;
                try
                {
                    input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
                }
                catch (FileNotFoundException e)
                {
                    throw new KeeperException($"{Path.GetFullPath(source)}: no such export file", ReturnCode.Error, e);
                }
                using (input)
                {
                    generation = ExportFile.Import(store, input, Path.GetFullPath(source), parse.GetValue(saveAs), CommandRunner.Detail(parse));
                }
            }
            stdout.WriteLine($"imported {generation.Spec} ({generation.Manifest.Session?.Processes.Count ?? 0} process(es), {StoreCli.Size((long)generation.Manifest.MemoryBytes)} of memory, {StoreCli.Size((long)generation.Manifest.NewStoredBytes)} new in the store)");
            return ReturnCode.Success;
        });
        return command;
    }
}
