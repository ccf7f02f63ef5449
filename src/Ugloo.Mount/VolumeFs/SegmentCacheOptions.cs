namespace Ugloo.Mount.VolumeFs;

/// <summary>How much decrypted file content the mount keeps on local disk (<see cref="SegmentCache"/>).</summary>
internal sealed class SegmentCacheOptions
{
    /// <summary>The default bound: 1 GiB.</summary>
    public const long DefaultMaxBytes = 1L << 30;

    /// <summary>
    /// Upper bound of the cache's files on disk (segment bytes plus a 16-byte checksum each). Default 1 GiB
    /// (<c>--cache-size</c>); 0 disables the cache, and every read of a segment not kept by an open handle
    /// fetches it from the nodes.
    /// </summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>
    /// How much of it is also kept in memory, most recently used first (default 64 MiB, never more than
    /// <see cref="MaxBytes"/>): reads of packed small files and new handles then skip the disk.
    /// </summary>
    public long MemoryBytes { get; init; } = 64L << 20;
}
