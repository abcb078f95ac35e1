using SessionKeeper.Native;
using Tmds.DBus.Protocol;

namespace SessionKeeper.Autosave;

/// <summary>
/// The part of systemd-logind's D-Bus API that <c>keeper watch</c> uses: the Manager's
/// <c>Inhibit</c> method and its <c>PrepareForShutdown</c> / <c>PrepareForSleep</c> signals
/// (org.freedesktop.login1(5)). Messages are built by hand with Tmds.DBus.Protocol, which
/// needs no reflection and stays NativeAOT-clean.
/// </summary>
public static class Logind
{
    /// <summary>logind's well-known bus name.</summary>
    public const string BusName = "org.freedesktop.login1";

    /// <summary>The Manager object.</summary>
    public const string ManagerPath = "/org/freedesktop/login1";

    /// <summary>The Manager interface.</summary>
    public const string ManagerInterface = "org.freedesktop.login1.Manager";

    /// <summary>Signal sent with <c>true</c> before a shutdown or reboot, with <c>false</c> when it was cancelled.</summary>
    public const string PrepareForShutdown = "PrepareForShutdown";

    /// <summary>Signal sent with <c>true</c> before a suspend or hibernation, with <c>false</c> after resume.</summary>
    public const string PrepareForSleep = "PrepareForSleep";

    /// <summary>
    /// Calls <c>Inhibit(what, who, why, "delay")</c> and returns the lock: logind holds back the
    /// operations named in <paramref name="what"/> (e.g. <c>shutdown:sleep</c>) until the
    /// returned descriptor is closed or InhibitDelayMaxSec has passed.
    /// </summary>
    /// <exception cref="DBusErrorReplyException">logind refused (no permission, no logind on the bus).</exception>
    public static async Task<SafeFd> InhibitDelayAsync(DBusConnection connection, string what, string who, string why)
    {
        MessageBuffer request = CreateInhibitCall(connection, what, who, why);
        SafeFd fd = await connection.CallMethodAsync(
            request,
            static (Message reply, object? _) => reply.GetBodyReader().ReadHandle<SafeFd>(),
            null).ConfigureAwait(false);
        // The lock must never reach the save command or anything it leaves running: a copy of the
        // descriptor there would keep the shutdown waiting for as long as that process lives. Set
        // here rather than left to how the library receives descriptors.
        try
        {
            Interop.SetCloseOnExec(fd, true);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
        return fd;
    }

    private static MessageBuffer CreateInhibitCall(DBusConnection connection, string what, string who, string why)
    {
        using MessageWriter writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(BusName, ManagerPath, ManagerInterface, "Inhibit", "ssss", MessageFlags.None);
        writer.WriteString(what);
        writer.WriteString(who);
        writer.WriteString(why);
        writer.WriteString("delay");
        return writer.CreateMessage();
    }

    /// <summary>
    /// Subscribes to one of the Manager's boolean signals; <paramref name="handler"/> gets its
    /// argument. A lost connection is not reported here: watch <see cref="DBusConnection.DisconnectedAsync"/>.
    /// </summary>
    public static ValueTask<IDisposable> WatchAsync(DBusConnection connection, string signal, Action<bool> handler)
    {
        var rule = new MatchRule
        {
            Type = MessageType.Signal,
            Sender = BusName,
            Path = ManagerPath,
            Interface = ManagerInterface,
            Member = signal,
        };
        return connection.AddMatchAsync(
            rule,
            static (Message message, object? _) => message.GetBodyReader().ReadBool(),
            (Notification<bool> notification) =>
            {
                if (notification.HasValue)
                {
                    handler(notification.Value);
                }
            },
            emitOnCapturedContext: false,
            ObserverFlags.None);
    }
}
