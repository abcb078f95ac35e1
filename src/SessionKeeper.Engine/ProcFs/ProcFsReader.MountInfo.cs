namespace SessionKeeper.Engine.ProcFs;

public static partial class ProcFsReader
{
    /// <summary>
    /// The filesystem type (e.g. "tmpfs", "ext4") of mount <paramref name="mountId"/> as
    /// /proc/PID/mountinfo of <paramref name="pid"/> lists it; false when the process is gone or
    /// no such mount is listed.
    /// </summary>
    public static bool TryReadMountFsType(int pid, int mountId, out string fsType)
    {
        fsType = TryReadMountInfo(pid, out List<MountInfoEntry> mounts)
            ? mounts.FirstOrDefault(m => m.MountId == mountId)?.FsType ?? ""
            : "";
        return fsType.Length > 0;
    }
}
