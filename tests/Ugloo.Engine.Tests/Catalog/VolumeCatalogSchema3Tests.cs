using Microsoft.Data.Sqlite;
using Ugloo.Engine.Catalog;

namespace Ugloo.Engine.Tests.Catalog;

public sealed class VolumeCatalogSchema3Tests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly CatalogAttributes s_attributes = new(0x1ED, 1000, 100, 1_700_000_000_123_456_789);

    [Fact]
    public void Attributes_and_symlinks_are_kept_per_version_and_survive_a_reopen()
    {
        using var dir = new TempDirectory();
        using (VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db")))
        {
            long id = catalog.AddVersion("/a", 3, [1], [2], s_t0, s_attributes);
            catalog.SetAttributes(id, s_attributes with { Mode = 0x180 });
            catalog.AddSymlink("/link", "a", s_t0);
            catalog.SetDirectoryAttributes("/d", s_attributes);
        }

        using VolumeCatalog reopened = VolumeCatalog.Open(dir.Combine("catalog.db"));
        CatalogVersion a = reopened.GetLatest("/a")!;
        Assert.Equal(s_attributes with { Mode = 0x180 }, a.Attributes);
        Assert.False(a.IsSymlink);
        CatalogVersion link = reopened.GetLatest("/link")!;
        Assert.Equal("a", link.LinkTarget);
        Assert.Equal(s_attributes, reopened.GetDirectoryAttributes("/d"));
        Assert.Contains(reopened.List("/"), e => e is { Name: "link", IsSymlink: true });
        Assert.DoesNotContain(reopened.GetAllLatest(), v => v.Path == "/link");
    }

    [Fact]
    public void A_completed_journal_entry_becomes_a_version_at_its_current_path_exactly_once()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        long queued = catalog.AddPending("/tmp.swp", "/staging/x", 10, s_attributes, s_t0);
        catalog.MovePending(queued, "/doc.txt", s_t0);
        Assert.Equal((1, 10L), catalog.GetPendingTotals());

        long? version = catalog.CompletePending(queued, [1], [2], 10, s_attributes, s_t0);
        Assert.NotNull(version);
        Assert.Null(catalog.GetLatest("/tmp.swp"));
        Assert.Equal(10, catalog.GetLatest("/doc.txt")!.Size);
        Assert.Empty(catalog.GetPending());
        Assert.Null(catalog.CompletePending(queued, [1], [2], 10, s_attributes, s_t0));
        Assert.Single(catalog.GetVersions("/doc.txt"));
    }

    [Fact]
    public void A_dropped_journal_entry_records_nothing()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        long queued = catalog.AddPending("/a", "/staging/x", 10, s_attributes, s_t0);
        catalog.RemovePending(queued);
        Assert.Null(catalog.CompletePending(queued, [1], [2], 10, s_attributes, s_t0));
        Assert.Empty(catalog.GetVersions("/a"));
    }

    [Fact]
    public void The_tree_as_it_was_at_an_instant()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        catalog.AddVersion("/docs/a", 1, [1], [2], s_t0);
        catalog.AddVersion("/docs/a", 2, [3], [4], s_t0.AddMinutes(2));
        catalog.AddVersion("/docs/b", 5, [5], [6], s_t0.AddMinutes(3));
        catalog.AddTombstone("/docs/a", s_t0.AddMinutes(4));

        Assert.Null(catalog.GetLatestAt("/docs/a", s_t0.AddMinutes(-1)));
        Assert.Equal(1, catalog.GetLatestAt("/docs/a", s_t0.AddMinutes(1))!.Size);
        Assert.Equal(2, catalog.GetLatestAt("/docs/a", s_t0.AddMinutes(3))!.Size);
        Assert.Null(catalog.GetLatestAt("/docs/a", s_t0.AddMinutes(5)));
        Assert.Equal(["a"], catalog.List("/docs", s_t0.AddMinutes(1)).Select(e => e.Name));
        Assert.Equal(["a", "b"], catalog.List("/docs", s_t0.AddMinutes(3)).Select(e => e.Name));
        Assert.Equal(["b"], catalog.List("/docs").Select(e => e.Name));
        Assert.Null(catalog.GetDirectory("/docs", s_t0.AddMinutes(-1)));
    }

    [Fact]
    public void A_schema_2_catalog_is_upgraded_with_its_versions_intact()
    {
        using var dir = new TempDirectory();
        string file = dir.Combine("catalog.db");
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText =
                "CREATE TABLE versions (id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, created_ms INTEGER NOT NULL, size INTEGER NOT NULL, manifest BLOB, wrapped_key BLOB);" +
                "CREATE TABLE directories (path TEXT PRIMARY KEY, created_ms INTEGER NOT NULL);" +
                "INSERT INTO versions (path, created_ms, size, manifest, wrapped_key) VALUES ('/old', 1, 7, X'01', X'02');" +
                "INSERT INTO directories VALUES ('/dir', 1);" +
                "PRAGMA user_version = 2;";
            command.ExecuteNonQuery();
        }

        using VolumeCatalog catalog = VolumeCatalog.Open(file);
        CatalogVersion old = catalog.GetLatest("/old")!;
        Assert.Equal(7, old.Size);
        Assert.Null(old.Attributes);
        Assert.Equal(["dir", "old"], catalog.List("/").Select(e => e.Name));
        catalog.AddPending("/new", "/s", 1, s_attributes, s_t0);
        Assert.Single(catalog.GetPending());
    }
}
