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
    private bool _disposed;

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

    /// <summary>The filesystem called this handle write-mostly (<see cref="OpenResult.WriteMostly"/>): its writes may bypass the page cache.</summary>
    public bool WriteMostly { get; init; }

    public ObjectReader? Reader { get; set; }

    public ObjectKey? Key { get; set; }

    /// <summary>Serializes use of the segment cache.</summary>
    public SemaphoreSlim ReadGate { get; } = new(1, 1);

    public int CachedSegment { get; private set; } = -1;

    /// <summary>The segment <see cref="CachedSegment"/>, with a reference the handle holds (guarded by <see cref="ReadGate"/>).</summary>
    public SegmentBuffer? CachedSegmentData { get; private set; }

    /// <summary>
    /// Segments being fetched ahead of a sequential reader, by index (guarded by <see cref="ReadGate"/>); each
    /// result carries a reference that whoever removes it takes over.
    /// </summary>
    public Dictionary<int, Task<SegmentBuffer?>> ReadAhead { get; } = [];

    /// <summary>Cancels the fetches ahead when the handle is released.</summary>
    public CancellationTokenSource ReadAheadStop { get; } = new();

    /// <summary>A directory handle's snapshot of its entries (name, is directory), taken at opendir.</summary>
    public List<(string Name, NodeType Type)>? Listing { get; set; }

    /// <summary>A history directory handle's snapshot of its entries.</summary>
    public List<(string Name, NodeType Type, HistoryView View, CatalogVersion? Version)>? ViewListing { get; set; }

    /// <summary>Holds <paramref name="data"/> (taking over the caller's reference) as segment <paramref name="segment"/>, releasing the one held before.</summary>
    public void SetCachedSegment(int segment, SegmentBuffer? data)
    {
        CachedSegmentData?.Release();
        CachedSegmentData = data;
        CachedSegment = data is null ? -1 : segment;
    }

    /// <summary>Drops the fetches ahead; their results are released once they arrive. Caller holds <see cref="ReadGate"/>.</summary>
    public void ClearReadAhead()
    {
        foreach (Task<SegmentBuffer?> fetch in ReadAhead.Values)
        {
            SegmentBuffer.ReleaseWhenDone(fetch);
        }

        ReadAhead.Clear();
    }

    /// <summary>Set by <see cref="Dispose"/>; a read that gets the gate afterwards gives up instead of using what is gone.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, true))
        {
            return;
        }

        // Wait(0), not Wait(): VolumeFileSystem.Dispose calls this holding its _gate, and a read takes that _gate
        // while it holds ReadGate, so waiting here could deadlock. A read still in flight keeps its buffers
        // (they go to the GC instead of back to the pool under it) and the reads queued behind it see IsDisposed.
        if (ReadGate.Wait(0))
        {
            try
            {
                ClearReadAhead();
                SetCachedSegment(-1, null);
            }
            finally
            {
                ReadGate.Release();
            }
        }

        ReadAheadStop.Cancel();
        Key?.Dispose();

        // Neither ReadGate nor ReadAheadStop is disposed: a read in flight may still wait on or release the gate,
        // or start a fetch ahead with the token (which then is cancelled at once). Neither holds anything that
        // needs disposing: no AvailableWaitHandle was asked for, no timer or linked token was made.
    }
}
