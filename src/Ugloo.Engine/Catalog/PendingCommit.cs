namespace Ugloo.Engine.Catalog;

/// <summary>
/// A closed file waiting in the write-back journal, to be stored in the swarm and recorded as a version of
/// <see cref="Path"/>. Its content is the staged file on local disk, fsynced before the row was written; or,
/// for a small file, <see cref="Content"/>, written in the row itself (one commit makes it durable, and the
/// staged file is only a working copy, rewritten from the row after a crash).
/// </summary>
public sealed record PendingCommit(long Id, string Path, string StagedFile, long Size, CatalogAttributes Attributes, DateTimeOffset Queued)
{
    /// <summary>The file's bytes when the row holds them; null when the staged file does.</summary>
    public byte[]? Content { get; init; }

    /// <summary>Unlinked or replaced after its close: recorded for history, then tombstoned; no longer at <see cref="Path"/>.</summary>
    public bool Deleted { get; init; }
}
