using Microsoft.Data.Sqlite;
using Ugloo.Engine.Catalog;

namespace Ugloo.Engine.Tests.Catalog;

/// <summary>Schema 2: explicit (possibly empty) directories, and the migration from schema 1.</summary>
public sealed class VolumeCatalogDirectoryTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_empty_directory_is_listed_until_it_is_removed()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        catalog.AddDirectory("/a/empty", s_t0);

        CatalogEntry a = Assert.Single(catalog.List("/"));
        Assert.Equal("a", a.Name);
        Assert.True(a.IsDirectory);
        CatalogEntry empty = Assert.Single(catalog.List("/a"));
        Assert.Equal(("empty", true), (empty.Name, empty.IsDirectory));
        Assert.Equal(s_t0, catalog.GetDirectory("/a/empty"));
        Assert.NotNull(catalog.GetDirectory("/a"));

        Assert.True(catalog.RemoveDirectory("/a/empty"));
        Assert.False(catalog.RemoveDirectory("/a/empty"));
        Assert.Empty(catalog.List("/"));
        Assert.Null(catalog.GetDirectory("/a"));
    }

    [Fact]
    public void An_unlink_that_fails_halfway_changes_nothing_and_the_next_one_commits()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        catalog.AddVersion("/d/f", 3, [1, 2, 3], [4], s_t0);

        // The pending ids are read after the tombstone is written: a failure there must take it back.
        Assert.Throws<InvalidOperationException>(() => catalog.Unlink("/d/f", Failing(), s_t0.AddMinutes(1)));
        Assert.Single(catalog.GetVersions("/d/f"));
        Assert.Equal(s_t0, catalog.GetDirectory("/d"));

        Assert.True(catalog.Unlink("/d/f", [], s_t0.AddMinutes(2)));
        Assert.Null(catalog.GetLatest("/d/f"));
        Assert.Equal(2, catalog.GetVersions("/d/f").Count);
        Assert.Equal(s_t0.AddMinutes(2), catalog.GetDirectory("/d"));

        static IEnumerable<long> Failing()
        {
            yield return 1;
            throw new InvalidOperationException("fails halfway");
        }
    }

    [Fact]
    public void A_removed_or_moved_directory_is_still_in_the_tree_as_of_an_instant_before()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        catalog.AddDirectory("/a/gone", s_t0);
        catalog.AddDirectory("/old/sub", s_t0);
        Assert.True(catalog.RemoveDirectory("/a/gone", s_t0.AddMinutes(2)));
        catalog.RenameDirectory("/old", "/new", s_t0.AddMinutes(3));

        DateTimeOffset before = s_t0.AddMinutes(1);
        Assert.Equal(["gone"], catalog.List("/a", before).Select(e => e.Name));
        Assert.Equal(s_t0, catalog.GetDirectory("/a/gone", before));
        Assert.Equal(["a", "old"], catalog.List("/", before).Select(e => e.Name));
        Assert.Equal(["sub"], catalog.List("/old", before).Select(e => e.Name));

        // Now, and at instants after the changes, they are where the changes put them.
        Assert.Null(catalog.GetDirectory("/a/gone"));
        Assert.Null(catalog.GetDirectory("/a/gone", s_t0.AddMinutes(2)));
        Assert.Equal(["new"], catalog.List("/").Select(e => e.Name));
        Assert.Equal(["new"], catalog.List("/", s_t0.AddMinutes(4)).Select(e => e.Name));
        Assert.Null(catalog.GetDirectory("/new", before));

        // Every name that ever existed, for the history tree.
        Assert.Contains(("gone", true), catalog.ListEver("/a"));
        Assert.Contains(("old", true), catalog.ListEver("/"));
    }

    [Fact]
    public void A_directory_implied_by_a_file_is_a_directory_and_a_file_is_not()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        catalog.AddVersion("/x/y/f", 1, [1], [2], s_t0);
        catalog.AddDirectory("/x", s_t0.AddDays(-1));

        Assert.Equal(s_t0, catalog.GetDirectory("/x/y"));
        Assert.Null(catalog.GetDirectory("/x/y/f"));
        Assert.Single(catalog.List("/"));
        Assert.NotNull(catalog.GetDirectory("/"));
    }

    [Fact]
    public void A_schema_1_catalog_opens_with_its_versions_intact()
    {
        using var dir = new TempDirectory();
        string file = dir.Combine("catalog.db");
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText =
                "CREATE TABLE versions (id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, created_ms INTEGER NOT NULL, size INTEGER NOT NULL, manifest BLOB, wrapped_key BLOB);" +
                "CREATE INDEX versions_path ON versions (path, id);" +
                "INSERT INTO versions (path, created_ms, size, manifest, wrapped_key) VALUES ('/old/file', 1000, 7, x'01', x'02');" +
                "PRAGMA user_version = 1;";
            command.ExecuteNonQuery();
        }

        using (VolumeCatalog catalog = VolumeCatalog.Open(file))
        {
            CatalogVersion? old = catalog.GetLatest("/old/file");
            Assert.NotNull(old);
            Assert.Equal(7, old.Size);
            Assert.Equal([1], old.Manifest);
            catalog.AddDirectory("/new", s_t0);
            Assert.Equal(["new", "old"], catalog.List("/").Select(e => e.Name));
        }

        // Reopening a migrated catalog neither migrates again nor loses anything.
        using VolumeCatalog reopened = VolumeCatalog.Open(file);
        Assert.Equal(["new", "old"], reopened.List("/").Select(e => e.Name));
    }

    [Fact]
    public void Renaming_a_directory_moves_its_files_and_directories_and_keeps_history()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        catalog.AddVersion("/src/a", 1, [1], [2], s_t0);
        catalog.AddVersion("/src/sub/b😀", 2, [3], [4], s_t0);
        catalog.AddVersion("/src/gone", 3, [5], [6], s_t0);
        catalog.AddTombstone("/src/gone", s_t0.AddSeconds(1));
        catalog.AddDirectory("/src/sub/empty", s_t0);
        catalog.AddVersion("/srcx", 4, [7], [8], s_t0);

        Assert.Equal(2, catalog.RenameDirectory("/src", "/dst/moved", s_t0.AddMinutes(1)));

        Assert.Null(catalog.GetDirectory("/src"));
        Assert.Equal([3], catalog.GetLatest("/dst/moved/sub/b😀")!.Manifest);
        Assert.Equal(1, catalog.GetLatest("/dst/moved/a")!.Size);
        Assert.Null(catalog.GetLatest("/dst/moved/gone"));
        Assert.Equal(["b😀", "empty"], catalog.List("/dst/moved/sub").Select(e => e.Name));
        Assert.True(catalog.GetVersions("/src/a")[^1].IsTombstone);
        Assert.NotNull(catalog.GetLatest("/srcx"));
        Assert.Throws<ArgumentException>(() => catalog.RenameDirectory("/dst", "/dst/moved/in", s_t0));
    }
}
