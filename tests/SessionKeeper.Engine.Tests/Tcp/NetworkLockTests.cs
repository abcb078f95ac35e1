using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SessionKeeper.Engine.Dump;
using SessionKeeper.Engine.Kinds.Tcp;
using SessionKeeper.Engine.Restore;
using SessionKeeper.Engine.Tests.Dump;
using SessionKeeper.Native;
using SessionKeeper.Tests.Shared;

namespace SessionKeeper.Engine.Tests.Tcp;

/// <summary>
/// The network lock of TCP dumps is gone on every way out: after a dump that fails once the
/// connection is locked, after a restore that fails once the connection is rebuilt, after a
/// successful restore, and after a keeper killed in the middle of a dump, once the next keeper
/// runs. The nftables tables and state files are checked, not keeper's own bookkeeping.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class NetworkLockTests
{
    private string _images = null!;

    [SetUp]
    public void SetUp()
    {
        _images = Path.Combine(Path.GetTempPath(), $"keeper-tcp-images-{Guid.NewGuid():N}");
        NetworkLock.RemoveStale();
        Assert.That(KeeperTables(), Is.Empty, "keeper tables left by something else");
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_images))
        {
            Directory.Delete(_images, recursive: true);
        }
    }

    private static IReadOnlyList<string> KeeperTables() => NetworkLock.ListTables(null);

    private static IEnumerable<string> StateFiles()
        => Directory.Exists(NetworkLock.StateDirectory) ? Directory.EnumerateFiles(NetworkLock.StateDirectory) : [];

    [Test]
    public void Lock_Connection_DropsItsPacketsUntilReleased()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndpoint);
        using Socket server = listener.AcceptSocket();
        var local = (IPEndPoint)client.LocalEndPoint!;
        var remote = (IPEndPoint)client.RemoteEndPoint!;

        using (NetworkLock.Lock([new LockedConnection(new InetEndpoint(SocketFamily.AF_INET, local.Address.GetAddressBytes(), (ushort)local.Port),
                   new InetEndpoint(SocketFamily.AF_INET, remote.Address.GetAddressBytes(), (ushort)remote.Port))]))
        {
            client.Send("held"u8.ToArray());
            server.ReceiveTimeout = 500;
            var error = Assert.Throws<SocketException>(() => server.Receive(new byte[4]), "a segment went through the lock");
            Assert.That(error!.SocketErrorCode, Is.EqualTo(SocketError.TimedOut));
            Assert.That(KeeperTables(), Has.Count.EqualTo(1));
        }

        // Retransmitted once the rules are gone.
        server.ReceiveTimeout = 30_000;
        byte[] got = new byte[4];
        Assert.That(server.Receive(got), Is.EqualTo(4));
        Assert.Multiple(() =>
        {
            Assert.That(got, Is.EqualTo("held"u8.ToArray()));
            Assert.That(KeeperTables(), Is.Empty);
            Assert.That(StateFiles(), Is.Empty);
        });
    }

    [Test]
    public void Dump_FailsAfterTheLock_RemovesItAndTheConnectionGoesOn()
    {
        // A pty slave whose master stays here: refused by the pty check, which runs after the
        // TCP connection was locked and read in repair mode.
        using SafeFd master = Interop.Open("/dev/ptmx", OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC);
        Interop.UnlockPty(master);
        using TcpHolder holder = TcpHolder.Start($"pty /dev/pts/{Interop.GetPtyIndex(master)}");
        var progress = new List<string>();

        Assert.Throws<UnsupportedObjectException>(() => Dumper.Dump(holder.Target.Pid, _images, new DumpOptions { Mode = DumpMode.Kill, Progress = progress.Add }));

        Assert.Multiple(() =>
        {
            Assert.That(progress, Has.Some.StartsWith("locked 1 TCP connection"), "the lock was set before the failure");
            Assert.That(KeeperTables(), Is.Empty);
            Assert.That(StateFiles(), Is.Empty);
            Assert.That(holder.RoundTrip("after a failed dump"), Is.EqualTo("after a failed dump"), "the connection left repair mode");
        });
    }

    [Test]
    public void Restore_FailsAfterTheConnection_RemovesTheLock()
    {
        using TcpHolder holder = TcpHolder.Start("file");
        Assert.That(holder.RoundTrip("before"), Is.EqualTo("before"));
        Dumper.Dump(holder.Target.Pid, _images, new DumpOptions { Mode = DumpMode.Kill });
        Assert.That(KeeperTables(), Has.One.StartsWith("keeper_held_"), "the dump hands its lock to the images");
        // The file opened after the socket is gone: its open fails once the socket was rebuilt.
        File.Delete(Path.Combine(holder.Target.Directory, "data"));
        var progress = new List<string>();

        var error = Assert.Throws<RestoreException>(() => Restorer.Restore(_images, new RestoreOptions { Progress = progress.Add }));

        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(progress, Has.Some.Contains("receive TCP 127.0.0.1:").Or.Some.Contains("removed the network lock"));
            Assert.That(KeeperTables(), Is.Empty);
            Assert.That(StateFiles(), Is.Empty);
        });
    }

    [Test]
    public void Restore_AfterDumpThatEndedTheTree_ConnectionGoesOnAndTheLockIsGone()
    {
        using TcpHolder holder = TcpHolder.Start();
        Assert.That(holder.RoundTrip("before"), Is.EqualTo("before"));
        Dumper.Dump(holder.Target.Pid, _images, new DumpOptions { Mode = DumpMode.Kill });
        var warnings = new List<string>();

        Restorer.Restore(_images, new RestoreOptions { Warning = warnings.Add });

        Assert.Multiple(() =>
        {
            Assert.That(holder.RoundTrip("after the restore"), Is.EqualTo("after the restore"));
            Assert.That(warnings, Is.Empty);
            Assert.That(KeeperTables(), Is.Empty);
            Assert.That(StateFiles(), Is.Empty);
        });
    }

    [Test]
    public void Restore_TcpClose_ApplicationAndPeerSeeAReset()
    {
        using TcpHolder holder = TcpHolder.Start();
        Dumper.Dump(holder.Target.Pid, _images, new DumpOptions { Mode = DumpMode.Kill });

        Restorer.Restore(_images, new RestoreOptions { TcpClose = true });

        Assert.That(holder.WaitForResult(), Is.EqualTo("ECONNRESET"), "the application's pending recv");
        holder.Peer.ReceiveTimeout = 30_000;
        var error = Assert.Throws<SocketException>(() =>
        {
            holder.Peer.Send("anyone?"u8.ToArray());
            holder.Peer.Receive(new byte[16]);
        });
        Assert.Multiple(() =>
        {
            Assert.That(error!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionReset), "the peer");
            Assert.That(KeeperTables(), Is.Empty);
        });
    }

    [Test]
    public void Restore_SnapshotOfATreeThatRanOn_WarnsNamingTheConnection()
    {
        using TcpHolder holder = TcpHolder.Start();
        Dumper.Dump(holder.Target.Pid, _images, new DumpOptions { Mode = DumpMode.LeaveRunning });
        Assert.That(holder.RoundTrip("the tree runs on"), Is.EqualTo("the tree runs on"), "leave-running gives the connection back");
        Interop.TryKill(holder.Target.Pid, Signals.SIGKILL);
        DumpTarget.WaitGone(holder.Target.Pid, 10_000);
        var warnings = new List<string>();

        // The old connection may still be closing (FIN_WAIT2): then the restore fails, saying so.
        try
        {
            Restorer.Restore(_images, new RestoreOptions { Warning = warnings.Add });
        }
        catch (RestoreException e)
        {
            TestContext.Out.WriteLine(e.Message);
            Assert.That(e.Message, Does.Contain("still closes the old one"));
        }

        var local = (IPEndPoint)holder.Peer.RemoteEndPoint!;
        Assert.That(warnings, Has.One.Contains($"127.0.0.1:{local.Port} -> 127.0.0.1:").And.Contains("ran on after this snapshot"));
    }

    [Test]
    public void Restore_PortOfListenerTaken_FailsNamingPortAndOwner()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        using TcpHolder holder = TcpHolder.Start($"listen {port}");
        Dumper.Dump(holder.Target.Pid, _images, new DumpOptions { Mode = DumpMode.Kill });
        using var squatter = new TcpListener(IPAddress.Loopback, port);
        squatter.Start();

        var error = Assert.Throws<RestoreException>(() => Restorer.Restore(_images));

        TestContext.Out.WriteLine(error!.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain($"port {port} is taken by 127.0.0.1:{port}"));
            Assert.That(error.Message, Does.Contain($"pid {Environment.ProcessId} "));
            Assert.That(KeeperTables(), Is.Empty);
        });
    }

    [Test]
    public void KeeperCommands_DumpThenRestoreWithTcpClose_ApplicationSeesAReset()
    {
        using TcpHolder holder = TcpHolder.Start();
        string pid = holder.Target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);

        (int dumped, _, string dumpError) = KeeperProcess.Run(null, "dump", "--pid", pid, "--images", _images);
        Assert.That(dumped, Is.Zero, dumpError);
        Assert.That(KeeperTables(), Has.One.StartsWith("keeper_held_"), "the lock outlives keeper dump");
        (int restored, string stdout, string restoreError) = KeeperProcess.Run(null, "restore", "--images", _images, "--tcp-close");

        Assert.Multiple(() =>
        {
            Assert.That(restored, Is.Zero, restoreError);
            Assert.That(stdout, Does.Contain($"restored the tree of pid {pid}"));
            Assert.That(holder.WaitForResult(), Is.EqualTo("ECONNRESET"));
            Assert.That(KeeperTables(), Is.Empty);
        });
    }

    [Test]
    public void KeeperKilledDuringDump_NextKeeperRunRemovesItsLock()
    {
        using TcpHolder holder = TcpHolder.Start("big");
        var start = new ProcessStartInfo(KeeperProcess.Binary.EndsWith(".dll", StringComparison.Ordinal) ? "dotnet" : KeeperProcess.Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (KeeperProcess.Binary.EndsWith(".dll", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(KeeperProcess.Binary);
        }
        foreach (string argument in (string[])["dump", "--pid", holder.Target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--images", _images])
        {
            start.ArgumentList.Add(argument);
        }
        using Process keeper = Process.Start(start)!;
        string prefix = $"keeper_{keeper.Id}_";
        // The state file comes before the rules, the rules before the connection is read.
        var clock = Stopwatch.StartNew();
        while (!keeper.HasExited && !KeeperTables().Any(t => t.StartsWith(prefix, StringComparison.Ordinal)) && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(1);
        }
        if (keeper.HasExited)
        {
            Assert.Inconclusive($"keeper dump finished (status {keeper.ExitCode}) before its lock was seen: {keeper.StandardError.ReadToEnd()}");
        }
        keeper.Kill();
        keeper.WaitForExit();
        Assert.That(KeeperTables(), Has.One.StartsWith(prefix), "the killed keeper's lock is still there");

        (int status, string stdout, string stderr) = KeeperProcess.Run(null, "check");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.Zero, stderr);
            Assert.That(stdout, Does.Match(@"nftables\s+optional\s+ok"));
            Assert.That(KeeperTables(), Is.Empty, "the next keeper run removed the stale lock");
            Assert.That(StateFiles(), Is.Empty);
        });
    }
}
