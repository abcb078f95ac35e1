using System.Globalization;
using SessionKeeper.Images.V1;
using SessionKeeper.Native;
using SessionKeeper.ProcessControl;

namespace SessionKeeper.Engine.Restore;

/// <summary>
/// Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS): one kernel object that several
/// mappings, often in several processes, show. It is created once, as the kernel creates it
/// (an anonymous shared mapping, large enough for every saved mapping of it), and keeper
/// keeps a descriptor of it (/proc/PID/map_files) to map it everywhere else; the saved
/// contents are written once, through the first process that maps them.
/// </summary>
public sealed partial class Restorer
{
    // Shared anonymous objects by the shmem id the dump recorded.
    private readonly Dictionary<ulong, SafeFd> _sharedMemory = [];

    private void MapSharedAnonymous(Injector task, Vma vma)
    {
        ulong id = vma.ShmemId;
        if (!_sharedMemory.TryGetValue(id, out SafeFd? shmem))
        {
            shmem = CreateSharedObject(task, id);
            _sharedMemory[id] = shmem;
        }
        _delivery ??= new FdDelivery();
        int fd = Step(task, $"receive shared memory {id}", () => _delivery.Deliver(task, [shmem], 0)[0]);
        try
        {
            ulong flags = (ulong)(((MmapFlags)vma.Flags & ~MmapFlags.MAP_ANONYMOUS) | MmapFlags.MAP_FIXED_NOREPLACE);
            Step(task, $"mmap shared anonymous 0x{vma.Start:x}", () => task.CallChecked(SyscallNumber.Mmap, vma.Start, vma.End - vma.Start, vma.Prot, flags, (ulong)fd, vma.Pgoff));
        }
        finally
        {
            task.Call(SyscallNumber.Close, (ulong)fd);
        }
    }

    // A new anonymous shared object sized for every saved mapping of it, made by a temporary
    // mapping in the task and opened from keeper through map_files.
    private SafeFd CreateSharedObject(Injector task, ulong id)
    {
        ulong size = _images.Mms.Values.SelectMany(m => m.Vmas)
            .Where(v => v.Kind == VmaKind.AnonShared && v.ShmemId == id)
            .Max(v => v.Pgoff + (v.End - v.Start));
        const ulong readWrite = (ulong)(MmapProt.PROT_READ | MmapProt.PROT_WRITE);
        const ulong sharedAnonymous = (ulong)(MmapFlags.MAP_SHARED | MmapFlags.MAP_ANONYMOUS);
        long address = Step(task, $"mmap shared object {id}", () => task.CallChecked(SyscallNumber.Mmap, 0, size, readWrite, sharedAnonymous, ulong.MaxValue, 0));
        try
        {
            string range = string.Create(CultureInfo.InvariantCulture, $"{address:x}-{(ulong)address + size:x}");
            return Interop.Open($"/proc/{task.Thread.Pid}/map_files/{range}", OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        }
        finally
        {
            task.Call(SyscallNumber.Munmap, (ulong)address, size);
        }
    }

    private void CloseSharedMemory()
    {
        foreach (SafeFd fd in _sharedMemory.Values)
        {
            fd.Dispose();
        }
        _sharedMemory.Clear();
    }
}
