namespace Ugloo.Engine.Catalog;

/// <summary>
/// One immutable version of a file: what was stored, when, and the two parts needed to read it back
/// (the manifest's public part and the wrapped object key). A tombstone has no object; a symbolic link has
/// its target and an empty manifest and key.
/// </summary>
public sealed record CatalogVersion(
    long Id,
    string Path,
    DateTimeOffset Created,
    long Size,
    bool IsTombstone,
    byte[]? Manifest,
    byte[]? WrappedKey)
{
    /// <summary>The target of a symbolic link; null for a regular file or a tombstone.</summary>
    public string? LinkTarget { get; init; }

    public bool IsSymlink => LinkTarget is not null;

    /// <summary>Mode, owner and times recorded with the version; null for versions written before schema 3 or by <c>ugloo put</c>.</summary>
    public CatalogAttributes? Attributes { get; init; }
}
