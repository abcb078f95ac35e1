namespace SessionKeeper.Native;

/// <summary>mount(2) flags (linux/mount.h MS_*) the restore of a mount namespace uses.</summary>
[Flags]
public enum MountFlags : ulong
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>MS_NOSUID: ignore set-user-id and set-group-id bits.</summary>
    MS_NOSUID = 0x2,
    /// <summary>MS_NODEV: no access to device nodes.</summary>
    MS_NODEV = 0x4,
    /// <summary>MS_NOEXEC: no program execution.</summary>
    MS_NOEXEC = 0x8,
    /// <summary>MS_REC: with a propagation type, apply it to every mount below too.</summary>
    MS_REC = 0x4000,
    /// <summary>MS_PRIVATE: the mount neither receives nor sends mount events.</summary>
    MS_PRIVATE = 0x40000,
}
