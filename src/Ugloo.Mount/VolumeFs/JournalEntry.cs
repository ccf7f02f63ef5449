using Ugloo.Engine.Catalog;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// A closed file in the write-back journal: its staged copy (fsynced, never written again), the catalog row
/// that makes it survive a crash, and the node it belongs to. Attributes may still change (chmod after close)
/// until the version is recorded. Guarded by the file system's lock.
/// </summary>
internal sealed class JournalEntry
{
    public JournalEntry(long id, VolumeNode node, StagedFile file, CatalogAttributes attributes, JournalEntry? previous)
    {
        Id = id;
        Node = node;
        File = file;
        Attributes = attributes;
        Previous = previous;
    }

    public long Id { get; }

    public VolumeNode Node { get; }

    public StagedFile File { get; }

    public long Size => File.Length;

    /// <summary>
    /// When the file was closed (the journal row's queued time): its version will be dated no earlier, so the
    /// volume as it was at an instant before the oldest of these can no longer change.
    /// </summary>
    public DateTimeOffset Closed { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>When it was queued (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    public long Queued { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public CatalogAttributes Attributes { get; set; }

    /// <summary>The same file's earlier entry: this one is recorded only after it, so versions keep their order.</summary>
    public JournalEntry? Previous { get; set; }

    /// <summary>Finished without a version (superseded by a newer file at its path after it was unlinked).</summary>
    public bool Dropped { get; set; }

    public bool Recorded { get; set; }

    /// <summary>Completes when the version is recorded or the entry dropped.</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
