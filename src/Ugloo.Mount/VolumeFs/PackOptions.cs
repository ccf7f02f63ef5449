namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// How the write-back journal packs small files: closed files up to <see cref="SmallFileLimit"/> bytes that are
/// queued together are stored as one object, and each becomes a version that is a range of it (DESIGN.md:
/// small files must not cost n fragments each). While small files keep being closed, the uploaders hold them
/// back for a moment so that a burst forms few packs (the work of storing an object is then shared by many
/// files); nothing is held while an fsync or an unmount waits for the journal.
/// </summary>
internal sealed class PackOptions
{
    /// <summary>Files up to this many bytes are packed (default 128 KiB); 0 or less turns packing off.</summary>
    public long SmallFileLimit { get; init; } = 128 * 1024;

    /// <summary>Most bytes in one pack (default 8 MiB).</summary>
    public int MaxPackBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Most files in one pack (default 2,048): bounds one catalog transaction.</summary>
    public int MaxPackFiles { get; init; } = 2048;

    /// <summary>
    /// A small file is stored once no other file was closed for this long (default 50 ms), so files closed one
    /// after another share a pack; zero stores at once.
    /// </summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest a small file waits for others to share its pack (default 1 s).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Segment size of a pack object (default 1 MiB, or the volume's own if smaller): reading one small file
    /// fetches the segment holding it, so a smaller segment than a big file's keeps a cold read cheap.
    /// </summary>
    public int SegmentSize { get; init; } = 1024 * 1024;
}
