using SessionKeeper.Native;

namespace SessionKeeper.ProcessControl;

/// <summary>Single-range reads and writes of another process's memory (process_vm_readv/writev).</summary>
public static class RemoteMemory
{
    /// <summary>Reads into <paramref name="buffer"/>; returns how many bytes came (short at an unmapped page).</summary>
    public static unsafe long Read(int pid, ulong address, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var local = new IoVec(p, (nuint)buffer.Length);
            var remote = new IoVec((void*)address, (nuint)buffer.Length);
            return Interop.ProcessVmReadv(pid, new ReadOnlySpan<IoVec>(in local), new ReadOnlySpan<IoVec>(in remote));
        }
    }

    /// <summary>
    /// Writes all of <paramref name="data"/> or throws. Only writable mappings take it
    /// (process_vm_writev gives EFAULT elsewhere; /proc/PID/mem writes with FOLL_FORCE).
    /// </summary>
    public static unsafe void Write(int pid, ulong address, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var local = new IoVec(p, (nuint)data.Length);
            var remote = new IoVec((void*)address, (nuint)data.Length);
            long written = Interop.ProcessVmWritev(pid, new ReadOnlySpan<IoVec>(in local), new ReadOnlySpan<IoVec>(in remote));
            if (written != data.Length)
            {
                throw new InvalidOperationException($"process_vm_writev on pid {pid} at 0x{address:x} wrote {written} of {data.Length} bytes");
            }
        }
    }
}
