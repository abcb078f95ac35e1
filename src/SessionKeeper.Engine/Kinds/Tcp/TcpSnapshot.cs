using SessionKeeper.Images;
using V1 = SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Kinds.Tcp;

/// <summary>
/// Whether the TCP connections of a snapshot can come back transparently. They can when the
/// dump ended the tree and its network lock still keeps the peers waiting: then nothing was
/// exchanged since. A snapshot whose tree ran on, or one restored before (its lock is gone),
/// holds sequence numbers the peer has left behind.
/// </summary>
public static class TcpSnapshot
{
    /// <summary>Why the connections of the images in <paramref name="imageDirectory"/> may not come back, or null when they can.</summary>
    /// <param name="imageDirectory">The images.</param>
    /// <param name="ownNetworkNamespace">The tree had a network namespace of its own: its peers were in the tree and come back with it.</param>
    /// <param name="lockDirectory">The directory the dump's lock was handed to, when not <paramref name="imageDirectory"/>.</param>
    public static string? StaleReason(string imageDirectory, bool ownNetworkNamespace, string? lockDirectory = null)
    {
        if (ownNetworkNamespace)
        {
            return null;
        }
        string inventory = Path.Combine(imageDirectory, "inventory.img");
        if (File.Exists(inventory) && ImageReader.ReadFile<V1.Inventory>(inventory) is [{ TreeLeftRunning: true }])
        {
            return "the tree ran on after this snapshot was taken (--leave-running)";
        }
        return NetworkLock.IsHeld(lockDirectory ?? imageDirectory)
            ? null
            : "the network lock of this snapshot is gone (it was restored before, or the lock was removed), so the peer may have moved on";
    }
}
