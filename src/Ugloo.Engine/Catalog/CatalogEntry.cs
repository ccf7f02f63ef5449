namespace Ugloo.Engine.Catalog;

/// <summary>A child of a directory listing: a file (its newest live version) or a directory.</summary>
public sealed record CatalogEntry(string Name, string Path, bool IsDirectory, long Size, DateTimeOffset Modified, int VersionCount)
{
    /// <summary>The newest version is a symbolic link.</summary>
    public bool IsSymlink { get; init; }

    /// <summary>A file's newest version, read with the listing (null for a directory).</summary>
    public CatalogVersion? Latest { get; init; }
}
