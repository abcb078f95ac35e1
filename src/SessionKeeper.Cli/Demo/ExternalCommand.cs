using System.Diagnostics;

namespace SessionKeeper.Cli.Demo;

/// <summary>Runs the programs that demo and bench drive (screen, python3) and says clearly when one is missing.</summary>
internal static class ExternalCommand
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/>; returns its standard output.</summary>
    /// <exception cref="KeeperException">It is not installed, fails (unless <paramref name="check"/> is false) or hangs.</exception>
    public static string Run(string program, IEnumerable<string> arguments, bool check = true)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["TERM"] ??= "xterm";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new KeeperException($"cannot run {program}: {e.Message} (is it installed? scripts/deps.sh installs what keeper's demo and benchmark use)", ReturnCode.NotSupported, e);
        }
        using (process)
        {
            process.StandardInput.Close();
            Task<string> error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(s_timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new KeeperException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {s_timeout.TotalSeconds:F0} s");
            }
            if (check && process.ExitCode != 0)
            {
                throw new KeeperException($"{program} {string.Join(' ', start.ArgumentList)} failed with status {process.ExitCode}: {error.Result.Trim()}");
            }
            return output;
        }
    }

    /// <summary>Asks <paramref name="condition"/> every 20 ms until it holds; false after <paramref name="timeout"/>.</summary>
    public static bool Poll(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }
            Thread.Sleep(20);
        }
        return true;
    }
}
