namespace Ugloo.Mount.FileSystem;

/// <summary>
/// What statfs(2) reports, in <paramref name="BlockSize"/>-byte blocks. File managers refuse to copy onto a
/// filesystem that reports zero free blocks, so report the real (or a real-looking) figure.
/// </summary>
internal readonly record struct FileSystemStats(
    uint BlockSize,
    ulong TotalBlocks,
    ulong FreeBlocks,
    ulong AvailableBlocks,
    ulong TotalNodes,
    ulong FreeNodes,
    uint MaxNameLength);
