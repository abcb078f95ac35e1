using System.Runtime.InteropServices;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Memory;

/// <summary>
/// Copies page runs of a stopped process into a <see cref="PageBuffer"/> with
/// process_vm_readv, up to <see cref="Interop.MaxIoVecs"/> iovecs per side and call
/// (DESIGN.md §3 "Remote memory"). Ranges process_vm_readv cannot read — PROT_NONE memory, which
/// it refuses because it honours the page protections — are read with pread on
/// /proc/PID/mem, which reads with FOLL_FORCE the way a debugger does.
/// </summary>
public sealed class RemoteMemoryReader : IDisposable
{
    private readonly int _pid;
    private readonly List<IoVec> _local = new(Interop.MaxIoVecs);
    private readonly List<IoVec> _remote = new(Interop.MaxIoVecs);
    private SafeFd? _mem;

    /// <summary>Prepares to read the memory of <paramref name="pid"/>.</summary>
    public RemoteMemoryReader(int pid) => _pid = pid;

    /// <summary>Number of process_vm_readv calls made (for benchmarks).</summary>
    public int VectoredCalls { get; private set; }

    /// <summary>Bytes that had to be read through /proc/PID/mem.</summary>
    public long FallbackBytes { get; private set; }

    /// <summary>
    /// Queues the copy of <paramref name="pages"/> pages at <paramref name="address"/> to
    /// <paramref name="offset"/> in <paramref name="buffer"/>; the copy happens when enough is
    /// queued or at <see cref="Flush"/>.
    /// </summary>
    public unsafe void Enqueue(ulong address, long pages, PageBuffer buffer, long offset)
    {
        long length = pages * PageBuffer.PageSize;
        // A remote run larger than one chunk is split so that each remote iovec pairs with local
        // ones inside one call; the local side needs one iovec per chunk touched.
        while (length > 0)
        {
            long take = Math.Min(length, PageBuffer.ChunkSize);
            if (_remote.Count + 1 > Interop.MaxIoVecs || _local.Count + 2 > Interop.MaxIoVecs)
            {
                Flush();
            }
            _remote.Add(new IoVec((void*)address, (nuint)take));
            buffer.Segments(offset, take, _local);
            address += (ulong)take;
            offset += take;
            length -= take;
        }
    }

    /// <summary>Copies everything queued.</summary>
    public unsafe void Flush()
    {
        if (_remote.Count == 0)
        {
            return;
        }
        Span<IoVec> remote = CollectionsMarshal.AsSpan(_remote);
        Span<IoVec> local = CollectionsMarshal.AsSpan(_local);
        long total = 0;
        foreach (IoVec iov in remote)
        {
            total += (long)iov.Length;
        }
        long done = 0;
        while (done < total)
        {
            long n;
            try
            {
                VectoredCalls++;
                n = Interop.ProcessVmReadv(_pid, Skip(local, done, out IoVec[] localRest), Skip(remote, done, out IoVec[] remoteRest));
                GC.KeepAlive(localRest);
                GC.KeepAlive(remoteRest);
            }
            catch (ErrnoException e) when (e.Errno == Errno.EFAULT)
            {
                // The very first remote range is unreadable: nothing was copied.
                n = 0;
            }
            done += n;
            if (done < total)
            {
                // process_vm_readv stops at the first page it cannot read; read the rest of that
                // remote range through /proc/PID/mem, then carry on with the vectored reads.
                done += ReadThroughMem(local, remote, done);
            }
        }
        _remote.Clear();
        _local.Clear();
    }

    // The tail of an iovec array after skipping `bytes` bytes (the first element trimmed). Copies
    // into a fresh array only when a call was cut short, which is rare (PROT_NONE ranges).
    private static unsafe ReadOnlySpan<IoVec> Skip(Span<IoVec> vectors, long bytes, out IoVec[] storage)
    {
        storage = [];
        if (bytes == 0)
        {
            return vectors;
        }
        int index = 0;
        while ((long)vectors[index].Length <= bytes)
        {
            bytes -= (long)vectors[index].Length;
            index++;
        }
        storage = vectors[index..].ToArray();
        storage[0] = new IoVec((byte*)storage[0].Base + bytes, storage[0].Length - (nuint)bytes);
        return storage;
    }

    // Reads the remainder of the remote iovec that contains byte `done` of the batch through
    // /proc/PID/mem; returns the number of bytes read.
    private unsafe long ReadThroughMem(Span<IoVec> local, Span<IoVec> remote, long done)
    {
        long skipped = done;
        int index = 0;
        while ((long)remote[index].Length <= skipped)
        {
            skipped -= (long)remote[index].Length;
            index++;
        }
        ulong address = (ulong)remote[index].Base + (ulong)skipped;
        long length = (long)remote[index].Length - skipped;
        _mem ??= Interop.Open($"/proc/{_pid}/mem", OpenFlags.O_RDONLY);

        // Walk the local iovecs in step with the remote bytes.
        long localSkip = done;
        int li = 0;
        while ((long)local[li].Length <= localSkip)
        {
            localSkip -= (long)local[li].Length;
            li++;
        }
        long copied = 0;
        while (copied < length)
        {
            int take = (int)Math.Min(length - copied, (long)local[li].Length - localSkip);
            var target = new Span<byte>((byte*)local[li].Base + localSkip, take);
            int got = 0;
            while (got < take)
            {
                int n = Interop.Pread(_mem, target[got..], (long)(address + (ulong)copied + (ulong)got));
                if (n == 0)
                {
                    throw new IOException($"pid {_pid}: memory at 0x{address + (ulong)copied + (ulong)got:x} cannot be read (end of /proc/{_pid}/mem)");
                }
                got += n;
            }
            copied += take;
            localSkip += take;
            if (localSkip == (long)local[li].Length)
            {
                li++;
                localSkip = 0;
            }
        }
        FallbackBytes += copied;
        return copied;
    }

    /// <summary>Closes /proc/PID/mem if it was opened.</summary>
    public void Dispose() => _mem?.Dispose();
}
