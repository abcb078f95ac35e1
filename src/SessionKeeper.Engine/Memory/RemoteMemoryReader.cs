using System.Runtime.InteropServices;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Memory;

/// <summary>
/// Copies page runs of a stopped process into a <see cref="PageBuffer"/>: process_vm_readv of up
/// to <see cref="Interop.MaxIoVecs"/> remote iovecs per call, straight into the buffer's memory
/// when it lives in keeper's own huge pages, else into one small staging buffer and then with
/// one pwrite into the buffer's memfd (DESIGN.md §3 "Remote memory").
/// Ranges process_vm_readv cannot read — PROT_NONE memory, which it refuses because it honours
/// the page protections — are read with pread on /proc/PID/mem, which reads with FOLL_FORCE the
/// way a debugger does.
/// </summary>
/// <remarks>
/// The staging buffer, when needed, is reused by every reader in turn (one is kept spare), so a
/// dump touches its pages once; see <see cref="PageBuffer"/> for why fresh small pages are avoided.
/// </remarks>
public sealed unsafe class RemoteMemoryReader : IDisposable
{
    /// <summary>Bytes gathered per process_vm_readv call (and pwrite, through the staging buffer).</summary>
    public const int StagingSize = 512 << 10;

    private static nint s_spareStaging;

    private readonly int _pid;
    private readonly List<IoVec> _remote = new(Interop.MaxIoVecs);
    // A batch is far smaller than a PageBuffer segment, so it spans at most two of them.
    private readonly IoVec[] _local = new IoVec[2];
    private nint _staging;
    private int _staged;
    private PageBuffer? _buffer;
    private long _bufferOffset;
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
    public void Enqueue(ulong address, long pages, PageBuffer buffer, long offset)
    {
        if (_staged > 0 && (buffer != _buffer || offset != _bufferOffset + _staged))
        {
            Flush();
        }
        if (_staged == 0)
        {
            _buffer = buffer;
            _bufferOffset = offset;
        }
        long length = pages * PageBuffer.PageSize;
        while (length > 0)
        {
            if (_staged == StagingSize || _remote.Count == Interop.MaxIoVecs)
            {
                Flush();
                _buffer = buffer;
                _bufferOffset = offset;
            }
            int take = (int)Math.Min(length, StagingSize - _staged);
            _remote.Add(new IoVec((void*)address, (nuint)take));
            _staged += take;
            address += (ulong)take;
            offset += take;
            length -= take;
        }
    }

    /// <summary>Copies everything queued.</summary>
    public void Flush()
    {
        if (_staged == 0)
        {
            return;
        }
        // Straight into the buffer's memory where it lives in keeper's own huge pages, else
        // into the staging buffer and from there into the buffer's memfd.
        int slices = _buffer!.WritableSlices(_bufferOffset, _staged, _local);
        bool direct = slices > 0;
        if (!direct)
        {
            if (_staging == 0)
            {
                _staging = Interlocked.Exchange(ref s_spareStaging, 0);
                if (_staging == 0)
                {
                    _staging = Interop.MapAnonymous(StagingSize, populate: true);
                }
            }
            _local[0] = new IoVec((void*)_staging, (nuint)_staged);
            slices = 1;
        }
        Span<IoVec> remote = CollectionsMarshal.AsSpan(_remote);
        Span<IoVec> local = _local.AsSpan(0, slices);
        long done = 0;
        while (done < _staged)
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
            if (done < _staged)
            {
                // process_vm_readv stops at the first page it cannot read; read the rest of that
                // remote range through /proc/PID/mem, then carry on with the vectored reads.
                done += ReadThroughMem(local, remote, done);
            }
        }
        if (!direct)
        {
            _buffer.Write(_bufferOffset, new ReadOnlySpan<byte>((void*)_staging, _staged));
        }
        _remote.Clear();
        _staged = 0;
        _buffer = null;
    }

    // The tail of an iovec array after skipping `bytes` bytes (the first element trimmed). Copies
    // into a fresh array only when a call was cut short, which is rare (PROT_NONE ranges).
    private static ReadOnlySpan<IoVec> Skip(Span<IoVec> vectors, long bytes, out IoVec[] storage)
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
    private long ReadThroughMem(Span<IoVec> local, Span<IoVec> remote, long done)
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
            int got = Interop.PreadAll(_mem, target, (long)(address + (ulong)copied));
            if (got < take)
            {
                throw new IOException($"pid {_pid}: memory at 0x{address + (ulong)copied + (ulong)got:x} cannot be read (end of /proc/{_pid}/mem)");
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

    /// <summary>Closes /proc/PID/mem if it was opened and hands the staging buffer on (queued copies not flushed are dropped).</summary>
    public void Dispose()
    {
        _mem?.Dispose();
        _remote.Clear();
        _staged = 0;
        if (_staging != 0 && Interlocked.CompareExchange(ref s_spareStaging, _staging, 0) != 0)
        {
            Interop.Unmap(_staging, StagingSize);
        }
        _staging = 0;
    }
}
