namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// The memory that small staged copies may hold instead of a file under DATA/staging/. Creating and deleting
/// one file per small file cost the daemon more kernel time than anything else in a run of creates (ext4's
/// inode allocator walks the inode table past recently deleted inodes); a small copy needs no file, since its
/// journal row holds its bytes. Bounded: when the budget is spent (a long backlog of queued small files),
/// further copies go to disk as before.
/// </summary>
internal sealed class StagingMemory(long budgetBytes)
{
    private long _used;

    /// <summary>Default budget: 64 MiB, e.g. 16,384 queued files of 4 KiB or 512 of 128 KiB.</summary>
    public const long DefaultBudgetBytes = 64L * 1024 * 1024;

    /// <summary>Bytes held now (tests, status).</summary>
    public long Used => Interlocked.Read(ref _used);

    public bool TryReserve(long bytes)
    {
        long used = Interlocked.Add(ref _used, bytes);
        if (used <= budgetBytes)
        {
            return true;
        }

        Interlocked.Add(ref _used, -bytes);
        return false;
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
