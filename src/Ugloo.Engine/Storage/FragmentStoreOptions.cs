namespace Ugloo.Engine.Storage;

/// <summary>Configuration of a node's <see cref="FragmentStore"/>. Validated by <see cref="Validate"/> at open.</summary>
public sealed class FragmentStoreOptions
{
    /// <summary>
    /// The data directories, one per disk: each is its own failure domain inside the node. Required, at
    /// least one. A missing directory is created (with its parents); point these at mounted disks, since a
    /// directory on an unmounted mount point would silently fill the root filesystem instead.
    /// </summary>
    public IList<DataDirectoryOptions> DataDirectories { get; } = [];

    /// <summary>
    /// Upper bound on the bytes of fragments the whole node keeps, across all directories; null (the
    /// default) means only the disks' own free space limits it. Counts fragment lengths, not allocated blocks.
    /// </summary>
    public long? CapacityBytes { get; set; }

    /// <summary>
    /// Disk space left untouched on every data directory's filesystem, in bytes; default 64 MiB. Keeps the
    /// node's own logs, the marker file and the filesystem's metadata writable when the store is full.
    /// </summary>
    public long ReservedDiskBytes { get; set; } = 64L << 20;

    /// <summary>
    /// Largest fragment accepted, in bytes; default 64 MiB (a 64 MiB segment with k = 1). Bounds how much space
    /// one announced transfer can reserve before any byte arrives: a peer cannot pin the disk with a huge claim.
    /// </summary>
    public long MaxFragmentBytes { get; set; } = 64L << 20;

    /// <summary>
    /// Write fragment files with direct I/O (O_DIRECT, Linux) where the filesystem supports it, bypassing the
    /// page cache: fragments are written once and rarely read soon, and on virtual machines buffered writes of
    /// new files cost several times the CPU. Filesystems without direct I/O (tmpfs) fall back to buffered
    /// writes by themselves. Default true; durability is the same either way (fsync before publish).
    /// </summary>
    public bool DirectIo { get; set; } = true;

    /// <summary>Adds a data directory, optionally with its own capacity limit in bytes.</summary>
    public FragmentStoreOptions AddDirectory(string path, long? capacityBytes = null)
    {
        DataDirectories.Add(new DataDirectoryOptions(path, capacityBytes));
        return this;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (DataDirectories.Count == 0)
        {
            throw new ArgumentException("The fragment store needs at least one data directory.");
        }

        foreach (DataDirectoryOptions directory in DataDirectories)
        {
            if (string.IsNullOrWhiteSpace(directory.Path))
            {
                throw new ArgumentException("A data directory path is empty.");
            }

            if (directory.CapacityBytes is < 0)
            {
                throw new ArgumentException($"Data directory '{directory.Path}' has a negative capacity ({directory.CapacityBytes}).");
            }
        }

        if (CapacityBytes is < 0)
        {
            throw new ArgumentException($"Store capacity cannot be negative ({CapacityBytes}).");
        }

        if (ReservedDiskBytes < 0)
        {
            throw new ArgumentException($"Reserved disk bytes cannot be negative ({ReservedDiskBytes}).");
        }

        if (MaxFragmentBytes <= 0)
        {
            throw new ArgumentException($"Maximum fragment size must be positive ({MaxFragmentBytes}).");
        }
    }
}

/// <summary>One data directory (a disk) of the store, with an optional limit in bytes on what it keeps.</summary>
public sealed record DataDirectoryOptions(string Path, long? CapacityBytes = null);
