using Microsoft.Data.Sqlite;
using Ugloo.Engine.Catalog;

namespace Ugloo.Engine.Tests.Catalog;

/// <summary>Schema 5: small files packed into one object, each version a range of it.</summary>
public sealed class VolumeCatalogPackTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly CatalogAttributes s_attributes = new(0x1A4, 1000, 100, 1_700_000_000_000_000_000);

    [Fact]
    public void A_version_is_dated_by_its_close_and_the_tombstone_of_an_unlink_while_queued_by_the_unlink()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        long kept = catalog.AddPending("/t/kept", "/s/k", 4, s_attributes, s_t0);
        long unlinked = catalog.AddPending("/t/unlinked", "/s/u", 4, s_attributes, s_t0);
        catalog.MarkPendingDeleted(unlinked, s_t0.AddSeconds(2));

        // The uploads finish a minute after the closes.
        DateTimeOffset uploaded = s_t0.AddMinutes(1);
        Assert.NotNull(catalog.CompletePending(kept, [1], [2], 4, s_attributes, uploaded));
        Assert.NotNull(catalog.CompletePendingPacked([new PackedCommit(unlinked, 0, 4, s_attributes)], [1], [2], uploaded)[0]);

        Assert.Equal((s_t0, uploaded), (catalog.GetLatest("/t/kept")!.Dated, catalog.GetLatest("/t/kept")!.Created));
        Assert.Null(catalog.GetLatestAt("/t/kept", s_t0.AddMilliseconds(-1)));
        Assert.NotNull(catalog.GetLatestAt("/t/kept", s_t0.AddSeconds(1)));

        // Closed at t0, unlinked at t0 + 2 s: there in between, gone after, whenever the upload ended.
        Assert.NotNull(catalog.GetLatestAt("/t/unlinked", s_t0.AddSeconds(1)));
        Assert.Null(catalog.GetLatestAt("/t/unlinked", s_t0.AddSeconds(2)));
        Assert.Null(catalog.GetLatest("/t/unlinked"));
        Assert.Equal([s_t0, s_t0.AddSeconds(2)], catalog.GetVersions("/t/unlinked").Select(v => v.Dated));

        // A version stored meanwhile by another writer (ugloo put, S3) is older in the catalog than the queued
        // file recorded after it, now and at every instant; the queued file shows from its close.
        long late = catalog.AddPending("/t/put", "/s/p", 4, s_attributes, s_t0);
        catalog.AddVersion("/t/put", 9, [1], [2], s_t0.AddSeconds(5));
        Assert.NotNull(catalog.CompletePending(late, [1], [2], 4, s_attributes, uploaded));
        Assert.Equal(4, catalog.GetLatest("/t/put")!.Size);
        Assert.Equal(4, catalog.GetLatestAt("/t/put", s_t0.AddSeconds(1))!.Size);
        Assert.Equal(4, catalog.GetLatestAt("/t/put", s_t0.AddSeconds(5))!.Size);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_queued_file_renamed_over_another_queued_one_is_dated_by_the_rename_and_stays_live(bool movedFirst)
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        catalog.AddVersion("/cur", 1, [1], [0], s_t0);
        long moved = catalog.AddPending("/new", "/s/new", 2, s_attributes, s_t0.AddSeconds(1));
        long replaced = catalog.AddPending("/cur", "/s/cur", 3, s_attributes, s_t0.AddSeconds(2));

        // mv new cur at t0 + 3 s: the queued content of cur goes (still recorded: history keeps it), new's follows the name.
        catalog.MarkPendingDeleted(replaced, s_t0.AddSeconds(3));
        catalog.MovePending(moved, "/cur", s_t0.AddSeconds(3));
        DateTimeOffset uploaded = s_t0.AddMinutes(1);
        long[] order = movedFirst ? [moved, replaced] : [replaced, moved];
        foreach (long id in order)
        {
            catalog.CompletePending(id, [1], [2], id == moved ? 2 : 3, s_attributes, uploaded);
        }

        Assert.Equal(2, catalog.GetLatest("/cur")!.Size);
        Assert.Equal(1, catalog.GetLatestAt("/cur", s_t0.AddSeconds(1.5))!.Size);
        Assert.Equal(2, catalog.GetLatestAt("/cur", s_t0.AddSeconds(3))!.Size);
        if (!movedFirst)
        {
            // Recorded before the rename's content arrived: visible from its close until the rename.
            Assert.Equal(3, catalog.GetLatestAt("/cur", s_t0.AddSeconds(2.5))!.Size);
        }

        Assert.Null(catalog.GetLatestAt("/new", s_t0.AddSeconds(2)));
    }

    [Fact]
    public void A_pack_records_each_queued_file_as_its_range_of_the_one_object()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        long a = catalog.AddPending("/d/a", "/s/a", 10, s_attributes, s_t0);
        long b = catalog.AddPending("/d/b", "/s/b", 0, s_attributes with { Mode = 0x180 }, s_t0);
        long c = catalog.AddPending("/d/c", "/s/c", 5, s_attributes, s_t0);
        long gone = catalog.AddPending("/d/gone", "/s/g", 3, s_attributes, s_t0);
        catalog.MarkPendingDeleted(c, s_t0.AddMilliseconds(500));
        catalog.RemovePending(gone);

        IReadOnlyList<long?> ids = catalog.CompletePendingPacked(
            [new PackedCommit(a, 0, 10, s_attributes), new PackedCommit(b, 10, 0, s_attributes with { Mode = 0x180 }), new PackedCommit(c, 10, 5, s_attributes), new PackedCommit(gone, 15, 3, s_attributes)],
            [9, 9],
            [7],
            s_t0.AddSeconds(1));

        Assert.NotNull(ids[0]);
        Assert.NotNull(ids[1]);
        Assert.NotNull(ids[2]); // recorded (history keeps every closed file), then tombstoned
        Assert.Null(ids[3]);
        Assert.Empty(catalog.GetPending());

        CatalogVersion va = catalog.GetLatest("/d/a")!;
        Assert.Equal((10L, 0L, true), (va.Size, va.ContentOffset, va.IsPacked));
        Assert.Equal([9, 9], va.Manifest);
        CatalogVersion vb = catalog.GetLatest("/d/b")!;
        Assert.Equal((0L, 10L, 0x180u), (vb.Size, vb.PackOffset!.Value, vb.Attributes!.Value.Mode));
        Assert.Null(catalog.GetLatest("/d/c"));
        Assert.Equal(10, catalog.GetVersions("/d/c")[0].PackOffset);
        Assert.Empty(catalog.GetVersions("/d/gone"));

        // Every query that reads versions sees the range.
        Assert.Equal(10, catalog.List("/d").Single(e => e.Name == "b").Latest!.PackOffset);
        Assert.Equal(10, catalog.Probe("/d/b").Latest!.PackOffset);
        Assert.Equal(10, catalog.GetLatest("/d/b")!.PackOffset);
        Assert.True(catalog.Probe("/d").IsDirectory);
    }

    [Fact]
    public void A_copy_a_restore_and_a_directory_move_keep_the_range()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        long a = catalog.AddPending("/d/a", "/s/a", 4, s_attributes, s_t0);
        long b = catalog.AddPending("/d/b", "/s/b", 6, s_attributes, s_t0);
        catalog.CompletePendingPacked([new PackedCommit(a, 0, 4, s_attributes), new PackedCommit(b, 4, 6, s_attributes)], [1], [2], s_t0);
        catalog.AddVersion("/d/whole", 3, [3], [4], s_t0);

        catalog.AddCopy("/copy", catalog.GetLatest("/d/b")!, s_t0.AddSeconds(1));
        Assert.Equal((6L, 4L), (catalog.GetLatest("/copy")!.Size, catalog.GetLatest("/copy")!.ContentOffset));

        Assert.Equal(3, catalog.RenameDirectory("/d", "/e", s_t0.AddSeconds(2)));
        Assert.Equal(4, catalog.GetLatest("/e/b")!.PackOffset);
        Assert.Equal(0, catalog.GetLatest("/e/a")!.PackOffset);
        Assert.Null(catalog.GetLatest("/e/whole")!.PackOffset);
        Assert.False(catalog.GetLatest("/e/whole")!.IsPacked);
    }

    [Fact]
    public void A_small_files_journal_row_keeps_its_bytes_until_the_file_is_recorded()
    {
        using var dir = new TempDirectory();
        string file = dir.Combine("catalog.db");
        using (VolumeCatalog catalog = VolumeCatalog.Open(file))
        {
            catalog.RelaxNamespaceSync();
            Assert.Throws<ArgumentException>(() => catalog.AddPending("/bad", "/s/bad", 5, s_attributes, s_t0, [1, 2]));
            catalog.AddPending("/small", "/s/small", 3, s_attributes, s_t0, [7, 8, 9]);
            catalog.AddPending("/big", "/s/big", 3, s_attributes, s_t0);
            catalog.AddDirectory("/made", s_t0);
        }

        // Reopened as after a crash of the process: the rows, their bytes and the relaxed mkdir are all there.
        using VolumeCatalog reopened = VolumeCatalog.Open(file);
        IReadOnlyList<PendingCommit> pending = reopened.GetPending();
        Assert.Equal(["/small", "/big"], pending.Select(p => p.Path));
        Assert.Equal([7, 8, 9], pending[0].Content);
        Assert.Null(pending[1].Content);
        Assert.NotNull(reopened.GetDirectory("/made"));
        reopened.CompletePendingPacked([new PackedCommit(pending[0].Id, 0, 3, s_attributes)], [1], [2], s_t0);
        Assert.Equal(["/big"], reopened.GetPending().Select(p => p.Path));
    }

    [Fact]
    public void A_schema_4_catalog_is_upgraded_and_its_versions_stay_whole_objects()
    {
        using var dir = new TempDirectory();
        string file = dir.Combine("catalog.db");
        using (VolumeCatalog catalog = VolumeCatalog.Open(file))
        {
            catalog.AddVersion("/old", 7, [1], [2], s_t0, s_attributes);
        }

        // Take the fresh catalog back to schema 4: the column did not exist then.
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE versions DROP COLUMN pack_offset; ALTER TABLE versions DROP COLUMN dated_ms; ALTER TABLE pending DROP COLUMN content; PRAGMA user_version = 4;";
            command.ExecuteNonQuery();
        }

        using VolumeCatalog upgraded = VolumeCatalog.Open(file);
        CatalogVersion old = upgraded.GetLatest("/old")!;
        Assert.Equal((7L, false, 0L), (old.Size, old.IsPacked, old.ContentOffset));
        long queued = upgraded.AddPending("/small", "/s", 2, s_attributes, s_t0);
        upgraded.CompletePendingPacked([new PackedCommit(queued, 8, 2, s_attributes)], [1], [2], s_t0);
        Assert.Equal(8, upgraded.GetLatest("/small")!.PackOffset);
    }
}
