namespace Ugloo.Engine.Catalog;

/// <summary>
/// One immutable version of a file: what was stored, when, and the two parts needed to read it back
/// (the manifest's public part and the wrapped object key). A tombstone has no object.
/// </summary>
public sealed record CatalogVersion(
    long Id,
    string Path,
    DateTimeOffset Created,
    long Size,
    bool IsTombstone,
    byte[]? Manifest,
    byte[]? WrappedKey);
