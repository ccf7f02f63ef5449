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
    /// <summary>
    /// When the version belongs in time where that is earlier than <see cref="Created"/> (when it was recorded):
    /// a file closed on the mount is recorded when its upload ends. Null: the same as Created.
    /// </summary>
    public DateTimeOffset? DatedAt { get; init; }

    /// <summary>The version's place in time: what the volume as it was at an instant, and history's names, go by.</summary>
    public DateTimeOffset Dated => DatedAt ?? Created;

    /// <summary>The target of a symbolic link; null for a regular file or a tombstone.</summary>
    public string? LinkTarget { get; init; }

    public bool IsSymlink => LinkTarget is not null;

    /// <summary>Mode, owner and times recorded with the version; null for versions written before schema 3 or by <c>ugloo put</c>.</summary>
    public CatalogAttributes? Attributes { get; init; }

    /// <summary>
    /// Where the version's bytes start in its object when it is one of many small files packed into one object
    /// (schema 5): its content is bytes [PackOffset, PackOffset + Size) of the object, and the object key is the
    /// pack's. Null for a version that is a whole object.
    /// </summary>
    public long? PackOffset { get; init; }

    public bool IsPacked => PackOffset is not null;

    /// <summary>Offset of the version's first byte in its object: 0 unless packed.</summary>
    public long ContentOffset => PackOffset ?? 0;
}
