using System.Diagnostics;

namespace SessionKeeper.Autosave.Tests.Fixtures;

/// <summary>
/// A private dbus-daemon standing in for the system bus: its own socket in a temporary
/// directory and a policy that lets every local process own names and send anything, which is
/// what the fake logind and keeper watch need.
/// </summary>
internal sealed class TestBus : IDisposable
{
    private readonly Process _daemon;
    private readonly string _directory;

    private TestBus(Process daemon, string directory, string address)
    {
        _daemon = daemon;
        _directory = directory;
        Address = address;
    }

    /// <summary>The address to connect to (unix:path=…).</summary>
    public string Address { get; }

    /// <summary>Starts the daemon and waits until it prints its address, i.e. it listens.</summary>
    public static TestBus Start()
    {
        if (!File.Exists("/usr/bin/dbus-daemon"))
        {
            Assert.Fail("dbus-daemon is not installed (apt package dbus; scripts/deps.sh installs it; the tests need it and do not skip)");
        }
        string directory = Directory.CreateTempSubdirectory("keeper-bus-").FullName;
        string config = Path.Combine(directory, "bus.conf");
        File.WriteAllText(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
              "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <listen>unix:path={directory}/system_bus_socket</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/>
                <allow own="*"/>
                <allow send_type="method_call"/>
                <allow send_type="signal"/>
                <allow send_type="method_return"/>
                <allow send_type="error"/>
                <allow receive_type="method_call"/>
                <allow receive_type="signal"/>
                <allow receive_type="method_return"/>
                <allow receive_type="error"/>
              </policy>
            </busconfig>
            """);
        var start = new ProcessStartInfo("/usr/bin/dbus-daemon")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add($"--config-file={config}");
        start.ArgumentList.Add("--nofork");
        start.ArgumentList.Add("--print-address");
        Process daemon = Process.Start(start)!;
        daemon.ErrorDataReceived += (_, _) => { };
        daemon.BeginErrorReadLine();
        string? line = daemon.StandardOutput.ReadLine();
        if (string.IsNullOrEmpty(line))
        {
            daemon.Kill();
            Assert.Fail($"dbus-daemon --config-file={config} printed no address (exit {(daemon.HasExited ? daemon.ExitCode : -1)})");
        }
        return new TestBus(daemon, directory, line!.Trim());
    }

    /// <summary>Ends the daemon now: every connection on it is lost.</summary>
    public void Kill()
    {
        if (!_daemon.HasExited)
        {
            _daemon.Kill();
            _daemon.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _daemon.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
