namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// How the write-back journal packs small files: closed files up to <see cref="SmallFileLimit"/> bytes that are
/// queued together are stored as one object, and each becomes a version that is a range of it (DESIGN.md:
/// small files must not cost n fragments each). Packing never waits for more files to arrive: an uploader
/// takes what is queued when it is free, so a burst of closes forms packs and a lone file is stored at once.
/// </summary>
internal sealed class PackOptions
{
    /// <summary>Files up to this many bytes are packed (default 128 KiB); 0 or less turns packing off.</summary>
    public long SmallFileLimit { get; init; } = 128 * 1024;

    /// <summary>Most bytes in one pack (default 8 MiB).</summary>
    public int MaxPackBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Most files in one pack (default 4,096): bounds one catalog transaction.</summary>
    public int MaxPackFiles { get; init; } = 4096;

    /// <summary>
    /// Segment size of a pack object (default 1 MiB, or the volume's own if smaller): reading one small file
    /// fetches the segment holding it, so a smaller segment than a big file's keeps a cold read cheap.
    /// </summary>
    public int SegmentSize { get; init; } = 1024 * 1024;
}
