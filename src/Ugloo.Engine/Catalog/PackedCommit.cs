namespace Ugloo.Engine.Catalog;

/// <summary>One queued small file stored in a pack: its journal row, and where its bytes lie in the pack object.</summary>
public readonly record struct PackedCommit(long PendingId, long Offset, long Size, CatalogAttributes Attributes);
