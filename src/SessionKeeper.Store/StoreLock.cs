namespace SessionKeeper.Store;

/// <summary>
/// An advisory lock on a lock file (flock: the kernel drops it when its holder dies, so a
/// killed save never leaves the store locked). Waits for a holder of the other kind.
/// </summary>
public sealed class StoreLock : IDisposable
{
    // errno EWOULDBLOCK, which .NET reports as the HResult of a lock conflict.
    private const int WouldBlock = 11;

    private readonly FileStream _file;

    private StoreLock(FileStream file) => _file = file;

    /// <summary>Takes the lock on <paramref name="path"/>, waiting as long as it is held; <paramref name="waiting"/> hears once that it waits.</summary>
    public static StoreLock Acquire(string path, bool exclusive, Action<string>? waiting, string what)
    {
        if (!StoreFiles.IsLinux)
        {
            throw StoreFiles.NotLinux();
        }
        // A store made by hand (or by an older keeper) may lack locks/.
        StoreFiles.CreateDirectory(Path.GetDirectoryName(path)!);
        bool told = false;
        while (true)
        {
            try
            {
                // .NET takes flock(LOCK_EX) for FileShare.None and flock(LOCK_SH) otherwise,
                // without blocking; a conflict is an IOException.
                var file = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate,
                    Access = exclusive ? FileAccess.ReadWrite : FileAccess.Read,
                    Share = exclusive ? FileShare.None : FileShare.ReadWrite,
                    UnixCreateMode = StoreFiles.FileMode0600,
                });
                return new StoreLock(file);
            }
            catch (IOException e) when (e.HResult == WouldBlock && File.Exists(path))
            {
                if (!told)
                {
                    waiting?.Invoke($"waiting for {what}");
                    told = true;
                }
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _file.Dispose();
}
