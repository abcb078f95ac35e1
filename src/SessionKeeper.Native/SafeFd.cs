using System.Runtime.InteropServices;

namespace SessionKeeper.Native;

/// <summary>
/// An owned Linux file descriptor. Disposing (or finalizing) closes it exactly once.
/// </summary>
/// <remarks>
/// fd 0 is a perfectly good descriptor, so the invalid value is -1 and <see cref="IsInvalid"/>
/// tests that explicitly. Wrappers that create descriptors allocate the <see cref="SafeFd"/>
/// before the system call and attach the number afterwards, so that no exception in between
/// (out of memory in the allocation, a thread abort) can leak the descriptor.
/// </remarks>
public sealed class SafeFd : SafeHandle
{
    /// <summary>Creates an invalid handle, to be filled by a system call wrapper.</summary>
    public SafeFd()
        : base(-1, ownsHandle: true)
    {
    }

    /// <summary>Wraps an existing descriptor number.</summary>
    /// <param name="fd">The descriptor.</param>
    /// <param name="ownsHandle">Whether disposing this object closes <paramref name="fd"/>.</param>
    public SafeFd(int fd, bool ownsHandle)
        : base(-1, ownsHandle)
    {
        SetHandle(fd);
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == -1;

    /// <summary>The descriptor number, for messages and for passing to another process; -1 when invalid.</summary>
    /// <remarks>Using the number for a system call needs <see cref="Lease"/>, which keeps it from being closed meanwhile.</remarks>
    public int Fd => (int)handle;

    /// <summary>
    /// Pins the descriptor for the duration of a raw system call (DangerousAddRef), so a
    /// concurrent Dispose cannot close it and let the number be reused underneath the call.
    /// </summary>
    public FdLease Lease() => new FdLease(this);

    /// <summary>Gives up ownership and returns the number; the caller must close it.</summary>
    public int Detach()
    {
        int fd = (int)handle;
        SetHandleAsInvalid();
        return fd;
    }

    /// <summary>Attaches the result of a successful system call to a handle allocated before it.</summary>
    internal void Attach(long fd) => SetHandle((nint)fd);

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        // close(2) is never retried: on Linux the descriptor is freed even when close reports
        // EINTR, and a retry could close a number another thread has just been given.
        return Interop.CloseRaw((int)handle) == 0;
    }
}

/// <summary>
/// A descriptor number held alive by <see cref="SafeHandle.DangerousAddRef"/> until
/// disposed; obtained from <see cref="SafeFd.Lease"/> and used with <c>using</c>.
/// </summary>
public ref struct FdLease
{
    private SafeFd? _owner;

    internal FdLease(SafeFd owner)
    {
        bool added = false;
        owner.DangerousAddRef(ref added);
        _owner = owner;
        Fd = (int)owner.DangerousGetHandle();
    }

    /// <summary>The descriptor number, valid until <see cref="Dispose"/>.</summary>
    public int Fd { get; }

    /// <summary>Releases the reference taken by <see cref="SafeFd.Lease"/>.</summary>
    public void Dispose()
    {
        _owner?.DangerousRelease();
        _owner = null;
    }
}
