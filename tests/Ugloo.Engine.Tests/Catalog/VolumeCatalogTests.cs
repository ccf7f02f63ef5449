using Ugloo.Engine.Catalog;

namespace Ugloo.Engine.Tests.Catalog;

public sealed class VolumeCatalogTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Every_version_stays_readable_and_the_newest_wins()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        catalog.AddVersion("/docs/a.txt", 3, [1], [2], s_t0);
        catalog.AddVersion("docs//a.txt", 5, [3], [4], s_t0.AddMinutes(1));

        CatalogVersion? latest = catalog.GetLatest("/docs/a.txt");
        Assert.NotNull(latest);
        Assert.Equal(5, latest.Size);
        Assert.Equal([3], latest.Manifest);
        Assert.Equal(2, catalog.GetVersions("/docs/a.txt").Count);
    }

    [Fact]
    public void A_delete_is_a_tombstone_that_keeps_history()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        catalog.AddVersion("/a", 1, [1], [2], s_t0);
        catalog.AddTombstone("/a", s_t0.AddSeconds(1));

        Assert.Null(catalog.GetLatest("/a"));
        IReadOnlyList<CatalogVersion> versions = catalog.GetVersions("/a");
        Assert.Equal(2, versions.Count);
        Assert.False(versions[0].IsTombstone);
        Assert.True(versions[1].IsTombstone);
        Assert.Empty(catalog.List("/"));
    }

    [Fact]
    public void Listing_shows_immediate_children_with_implied_directories()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        catalog.AddVersion("/top.bin", 10, [1], [1], s_t0);
        catalog.AddVersion("/photos/2025/x.jpg", 20, [1], [1], s_t0);
        catalog.AddVersion("/photos/y.jpg", 30, [1], [1], s_t0);
        catalog.AddVersion("/photos/y.jpg", 31, [1], [1], s_t0.AddSeconds(5));
        catalog.AddVersion("/photosynthesis", 40, [1], [1], s_t0);

        IReadOnlyList<CatalogEntry> root = catalog.List("/");
        Assert.Equal(["photos", "photosynthesis", "top.bin"], root.Select(e => e.Name));
        Assert.True(root[0].IsDirectory);

        IReadOnlyList<CatalogEntry> photos = catalog.List("/photos");
        Assert.Equal(["2025", "y.jpg"], photos.Select(e => e.Name));
        Assert.Equal(31, photos[1].Size);
        Assert.Equal(2, photos[1].VersionCount);
    }

    [Fact]
    public void The_catalog_survives_reopening()
    {
        using var dir = new TempDirectory();
        string file = dir.Combine("catalog.db");
        using (VolumeCatalog catalog = VolumeCatalog.Open(file))
        {
            catalog.AddVersion("/a", 7, [9], [8], s_t0);
        }

        using VolumeCatalog reopened = VolumeCatalog.Open(file);
        Assert.Equal(7, reopened.GetLatest("/a")!.Size);
    }

    [Theory]
    [InlineData("/a/../b")]
    [InlineData("/./a")]
    [InlineData("/a\0b")]
    public void Unsafe_paths_are_refused(string path)
    {
        Assert.Throws<ArgumentException>(() => CatalogPath.Normalize(path));
    }

    [Fact]
    public void Names_longer_than_255_bytes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => CatalogPath.Normalize("/" + new string('é', 128)));
        Assert.Equal("/" + new string('a', 255), CatalogPath.Normalize("/" + new string('a', 255)));
    }
}
