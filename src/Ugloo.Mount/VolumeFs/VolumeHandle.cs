using Ugloo.Engine.Catalog;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// An open file or directory. A file handle reads the version that was newest at open (so an unlinked or
/// overwritten file keeps reading what it opened) unless the node has a staged copy; it caches the object
/// reader, the unwrapped key and the last decoded segment, so sequential small reads fetch each segment once.
/// </summary>
internal sealed class VolumeHandle : IDisposable
{
    public VolumeHandle(VolumeNode node, OpenFlags flags)
    {
        Node = node;
        Flags = flags;
    }

    public VolumeNode Node { get; }

    public OpenFlags Flags { get; }

    public bool CanWrite => (Flags & OpenFlags.Write) != 0;

    public CatalogVersion? Version { get; set; }

    /// <summary>Opened for writing or while the content was local: reads follow the node's newest version.</summary>
    public bool FollowsNode { get; init; }

    public ObjectReader? Reader { get; set; }

    public ObjectKey? Key { get; set; }

    /// <summary>Serializes use of the segment cache.</summary>
    public SemaphoreSlim ReadGate { get; } = new(1, 1);

    public int CachedSegment { get; set; } = -1;

    public byte[]? CachedSegmentData { get; set; }

    /// <summary>Segments being fetched ahead of a sequential reader, by index (guarded by <see cref="ReadGate"/>).</summary>
    public Dictionary<int, Task<byte[]?>> ReadAhead { get; } = [];

    /// <summary>Cancels the fetches ahead when the handle is released.</summary>
    public CancellationTokenSource ReadAheadStop { get; } = new();

    /// <summary>A directory handle's snapshot of its entries (name, is directory), taken at opendir.</summary>
    public List<(string Name, NodeType Type)>? Listing { get; set; }

    /// <summary>A history directory handle's snapshot of its entries.</summary>
    public List<(string Name, NodeType Type, HistoryView View, CatalogVersion? Version)>? ViewListing { get; set; }

    public void Dispose()
    {
        ReadAheadStop.Cancel();
        ReadAheadStop.Dispose();
        Key?.Dispose();
        ReadGate.Dispose();
    }
}
