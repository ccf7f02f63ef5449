namespace Ugloo.Engine.Storage;

/// <summary>
/// Capacity accounting. Used bytes per directory are counted in memory (scanned at open); a write reserves
/// its announced length before its first byte, so concurrent writes cannot together overrun a limit.
/// </summary>
public sealed partial class FragmentStore
{
    /// <summary>The largest fragment the store would accept now.</summary>
    public long FreeBytes
    {
        get
        {
            lock (_accounting)
            {
                return FreeBytesLocked();
            }
        }
    }

    /// <summary>
    /// Picks the data directory for a new fragment and reserves <paramref name="length"/> bytes on it. The
    /// directory with the most free bytes wins, which fills disks towards equal free space; directories within
    /// 1/64 of the best count as tied and the one holding the fewest bytes wins (several directories on one
    /// filesystem report the same free space, and would otherwise all land on the first). Each reservation
    /// lowers its directory's free space, which spreads concurrent writes.
    /// </summary>
    private DataDirectory Reserve(long length)
    {
        lock (_accounting)
        {
            long totalFree = TotalLimitFreeLocked();
            long[] free = new long[_directories.Length];
            long bestFree = 0;
            for (int i = 0; i < _directories.Length; i++)
            {
                free[i] = DirectoryFreeBytes(_directories[i]);
                bestFree = Math.Max(bestFree, free[i]);
            }

            long nodeFree = Math.Min(bestFree, totalFree);
            if (nodeFree < length)
            {
                throw new StoreFullException(Math.Max(0, nodeFree), length);
            }

            DataDirectory? best = null;
            for (int i = 0; i < _directories.Length; i++)
            {
                DataDirectory candidate = _directories[i];
                bool tied = free[i] >= length && bestFree - free[i] <= bestFree / 64;
                if (tied && (best is null || candidate.UsedBytes + candidate.ReservedBytes < best.UsedBytes + best.ReservedBytes))
                {
                    best = candidate;
                }
            }

            best!.ReservedBytes += length;
            _reservedBytes += length;
            return best;
        }
    }

    private void ReleaseReservation(DataDirectory directory, long length)
    {
        lock (_accounting)
        {
            directory.ReservedBytes -= length;
            _reservedBytes -= length;
        }
    }

    /// <summary>Turns a reservation into a held fragment.</summary>
    private void CommitReservation(DataDirectory directory, long length)
    {
        lock (_accounting)
        {
            directory.ReservedBytes -= length;
            _reservedBytes -= length;
            directory.UsedBytes += length;
            directory.FragmentCount++;
            _usedBytes += length;
        }
    }

    private long FreeBytesLocked()
    {
        long best = 0;
        foreach (DataDirectory directory in _directories)
        {
            best = Math.Max(best, DirectoryFreeBytes(directory));
        }

        return Math.Max(0, Math.Min(best, TotalLimitFreeLocked()));
    }

    private long TotalLimitFreeLocked() =>
        _options.CapacityBytes is long capacity ? capacity - _usedBytes - _reservedBytes : long.MaxValue;

    /// <summary>
    /// min(directory limit - used - reserved, disk free - reserve - reserved). Reservations are subtracted from
    /// the disk's free space too, although a preallocated temp file already shows in it: erring on the side of
    /// refusing keeps the disk from filling mid-write.
    /// </summary>
    private long DirectoryFreeBytes(DataDirectory directory)
    {
        long byLimit = directory.CapacityBytes is long capacity
            ? capacity - directory.UsedBytes - directory.ReservedBytes
            : long.MaxValue;
        long byDisk;
        try
        {
            byDisk = directory.AvailableDiskBytes() - _options.ReservedDiskBytes - directory.ReservedBytes;
        }
        catch (IOException)
        {
            // The disk is gone or unreadable: it takes nothing new.
            byDisk = 0;
        }

        return Math.Max(0, Math.Min(byLimit, byDisk));
    }

    /// <summary>True for "no space left on device" from any OS.</summary>
    private static bool IsDiskFull(IOException exception, DataDirectory directory, long length)
    {
        const int UnixNoSpace = 28;                 // ENOSPC, Linux and macOS
        const int WindowsDiskFull = 0x70;           // ERROR_DISK_FULL
        const int WindowsHandleDiskFull = 0x27;     // ERROR_HANDLE_DISK_FULL
        int code = exception.HResult;
        bool windowsFull = OperatingSystem.IsWindows() && (uint)code >> 16 == 0x8007 && (code & 0xFFFF) is WindowsDiskFull or WindowsHandleDiskFull;
        if ((!OperatingSystem.IsWindows() && code == UnixNoSpace) || windowsFull)
        {
            return true;
        }

        // A failed preallocation reports ENOSPC in its message only (no errno in HResult): ask the disk.
        try
        {
            return directory.AvailableDiskBytes() < length;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
