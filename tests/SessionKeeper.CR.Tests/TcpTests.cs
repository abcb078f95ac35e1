using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SessionKeeper.CR.Tests.Harness;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Kinds.Tcp;
using SessionKeeper.Engine.Restore;
using SessionKeeper.Images;
using SessionKeeper.Store;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.CR.Tests;

/// <summary>
/// Established TCP connections to a peer outside the tree: <c>streaming/tcp_stream</c> serves,
/// the test is the client (<see cref="StreamPeer"/>). Just before the dump the client stops
/// reading and sends a burst, so data is queued both ways; the dump ends the tree, the test
/// waits a few seconds with the connection locked, restores, and both byte streams must go on
/// without a gap, a duplicate or a reset — checked by the client here and by the server, which
/// also checks its socket options, in its verdict.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TcpTests
{
    private static readonly TimeSpan s_pause = TimeSpan.FromSeconds(4);

    [Test]
    public void DumpPauseRestore_Ipv4Loopback_StreamsGoOnBothWays()
        => RunScenario(IPAddress.Loopback, "127.0.0.1", networkNamespace: null, newClientAfterRestore: false);

    [Test]
    public void DumpPauseRestore_Ipv6Loopback_StreamsGoOnBothWays()
        => RunScenario(IPAddress.IPv6Loopback, "::1", networkNamespace: null, newClientAfterRestore: false);

    [Test]
    public void DumpPauseRestore_PeerInOtherNamespaceOverVeth_StreamsGoOnBothWays()
    {
        using var veth = VethPair.Create();
        RunScenario(veth.HostAddress, "::", veth.PeerNamespaceFile, newClientAfterRestore: false);
    }

    [Test]
    public void DumpPauseRestore_ListeningServer_AcceptsNewClientAfterRestore()
        => RunScenario(IPAddress.Loopback, "0.0.0.0", networkNamespace: null, newClientAfterRestore: true);

    /// <summary>The same through the snapshot store: save --stop into a named snapshot, restore by name.</summary>
    [Test]
    public void SaveStopPauseRestoreByName_Ipv4Loopback_StreamsGoOnBothWays()
        => RunScenario(IPAddress.Loopback, "127.0.0.1", networkNamespace: null, newClientAfterRestore: false, throughStore: true);

    private static void RunScenario(IPAddress connectTo, string listenOn, string? networkNamespace, bool newClientAfterRestore, bool throughStore = false)
    {
        int port = FreePort(connectTo.AddressFamily);
        var step = new PeerStep(new IPEndPoint(connectTo, port), networkNamespace, newClientAfterRestore, throughStore);
        Environment.SetEnvironmentVariable("TCP_STREAM_LISTEN", $"{listenOn} {port}");
        ZdtmResult result;
        try
        {
            result = ZdtmRunner.Run(ZdtmProgram.Get("streaming", "tcp_stream"), new ZdtmRunOptions
            {
                Step = step,
                KeepRunning = false,
                StepTimeout = TimeSpan.FromSeconds(120),
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable("TCP_STREAM_LISTEN", null);
            step.Dispose();
        }

        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(ZdtmVerdict.Pass), result.Describe);
            Assert.That(step.Observations, Has.Member("queues: both non-empty"), result.Describe);
            Assert.That(step.Observations, Has.Member("lock held during the pause"), result.Describe);
            Assert.That(NetworkLock.ListTables(null), Is.Empty, "nftables tables of keeper left after the restore");
            Assert.That(Directory.EnumerateFiles(NetworkLock.StateDirectory), Is.Empty, "lock state files left after the restore");
            Assert.That(result.Survivors, Is.Empty, result.Describe);
        });
    }

    private static int FreePort(AddressFamily family)
    {
        using var probe = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>Connects, streams, bursts, dumps (ending the tree), waits, restores, streams on.</summary>
    private sealed class PeerStep(IPEndPoint server, string? networkNamespace, bool newClientAfterRestore, bool throughStore) : ICheckpointRestoreStep, IDisposable
    {
        private readonly List<StreamPeer> _peers = [];

        public List<string> Observations { get; } = [];

        public string Name => "tcp-peer";

        public int Run(CheckpointRestoreContext context, CancellationToken cancellationToken)
        {
            StreamPeer peer = StreamPeer.Connect(server, "client 1", networkNamespace);
            _peers.Add(peer);
            peer.WaitFor(p => p.Counter > 20_000 && p.Echo > 2_000, "traffic before the dump");

            peer.StartBurst();
            peer.WaitUntilWriterStalls();
            context.Log($"burst: {peer}");
            SnapshotStore? store = throughStore ? SnapshotStore.Open(Path.Combine(Path.GetDirectoryName(context.ImagesDirectory)!, "store"), create: true) : null;
            string images = context.ImagesDirectory;
            if (store is null)
            {
                DumpResult dump = Dumper.Dump(context.RootPid, images, new DumpOptions { Mode = DumpMode.Kill, Progress = context.Log });
                context.Log($"dumped {dump.Pids.Count} process(es)");
            }
            else
            {
                SaveResult saved = SnapshotSaver.Save(store, new SaveRequest { Name = "tcp", RootPid = context.RootPid, Stop = true, Detail = context.Log });
                images = saved.Generation.Directory;
                context.Log($"saved {saved.Dump.Pids.Count} process(es) as {saved.Generation.Spec}");
            }
            RecordQueues(context, images);

            // The connection is locked while nothing holds it: the peer's segments are dropped,
            // not answered with a reset, and it waits.
            if (NetworkLock.ListTables(null).Any(t => t.StartsWith("keeper_held_", StringComparison.Ordinal)))
            {
                Observations.Add("lock held during the pause");
            }
            Thread.Sleep(s_pause);
            peer.EndBurst();
            if (peer.Error is { } error)
            {
                Assert.Fail($"before the restore: {error}");
            }
            long counterAtRestore = peer.Counter;
            long sentAtRestore = peer.WordsSent;
            int root = store is null
                ? Restorer.Restore(images, new RestoreOptions { Progress = context.Log, Warning = w => Observations.Add($"warning: {w}") })
                : SnapshotRestorer.Restore(store, "tcp", replace: false, context.Log, null, warning: w => Observations.Add($"warning: {w}")).RootPid;
            context.Log($"restored: root {root}");

            // Every word of the burst comes back as an echo, and the counter goes on.
            peer.WaitFor(p => p.Echo >= sentAtRestore && p.Counter > counterAtRestore + 20_000, "traffic after the restore", seconds: 90);
            context.Log($"after the restore: {peer}");
            if (newClientAfterRestore)
            {
                StreamPeer second = StreamPeer.Connect(server, "client 2", networkNamespace);
                _peers.Add(second);
                second.WaitFor(p => p.Counter > 5_000 && p.Echo > 500, "traffic on a new connection after the restore");
                context.Log($"new client: {second}");
            }
            Assert.That(Observations.Where(o => o.StartsWith("warning", StringComparison.Ordinal)), Is.Empty);
            return root;
        }

        private void RecordQueues(CheckpointRestoreContext context, string images)
        {
            List<V1.FileEntry> files = ImageReader.ReadFile<V1.FileEntry>(Path.Combine(images, "files.img"));
            V1.TcpRepairState state = files.Single(f => f.InetSocket?.Tcp is not null).InetSocket.Tcp;
            context.Log($"saved queues: send {state.SendQueueLength} ({state.UnsentLength} unsent), receive {state.ReceiveQueueLength}");
            if (state.SendQueueLength > 0 && state.ReceiveQueueLength > 0)
            {
                Observations.Add("queues: both non-empty");
            }
        }

        public void Dispose()
        {
            foreach (StreamPeer peer in _peers)
            {
                peer.Dispose();
            }
        }
    }

    /// <summary>A network namespace for the peer, joined to keeper's by a veth pair with IPv6 addresses.</summary>
    private sealed class VethPair : IDisposable
    {
        private readonly string _namespace;
        private readonly string _device;

        private VethPair(string name, string device)
        {
            _namespace = name;
            _device = device;
        }

        public IPAddress HostAddress { get; } = IPAddress.Parse("fd00:6b65:6570::1");

        public string PeerNamespaceFile => $"/run/netns/{_namespace}";

        public static VethPair Create()
        {
            string suffix = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var pair = new VethPair($"keeper-peer-{suffix}", $"kp{suffix}");
            try
            {
                Ip($"netns add {pair._namespace}");
                Ip($"link add {pair._device} type veth peer name {pair._device}p netns {pair._namespace}");
                Ip($"-6 addr add fd00:6b65:6570::1/64 dev {pair._device} nodad");
                Ip($"link set {pair._device} up");
                Ip($"-n {pair._namespace} -6 addr add fd00:6b65:6570::2/64 dev {pair._device}p nodad");
                Ip($"-n {pair._namespace} link set {pair._device}p up");
                Ip($"-n {pair._namespace} link set lo up");
                return pair;
            }
            catch
            {
                pair.Dispose();
                throw;
            }
        }

        private static void Ip(string arguments, bool check = true)
        {
            using Process ip = Process.Start(new ProcessStartInfo("ip", arguments.Split(' ')) { RedirectStandardError = true })!;
            string error = ip.StandardError.ReadToEnd();
            ip.WaitForExit();
            if (check && ip.ExitCode != 0)
            {
                Assert.Fail($"ip {arguments}: {error}");
            }
        }

        public void Dispose()
        {
            Ip($"link del {_device}", check: false);
            Ip($"netns del {_namespace}", check: false);
        }
    }
}
