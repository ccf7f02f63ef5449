namespace Ugloo.Engine.Catalog;

/// <summary>
/// A closed file waiting in the write-back journal: its content is the staged file on local disk (fsynced
/// before the row was written), to be stored in the swarm and recorded as a version of <see cref="Path"/>.
/// </summary>
public sealed record PendingCommit(long Id, string Path, string StagedFile, long Size, CatalogAttributes Attributes, DateTimeOffset Queued);
