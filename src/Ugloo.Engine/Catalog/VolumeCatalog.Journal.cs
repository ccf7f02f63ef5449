using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog;

/// <summary>
/// The write-back journal: closed files whose content is on local disk and not yet in the swarm. A row is
/// written only after its staged file was fsynced, and removed in the same transaction that records the
/// version, so after a crash every closed file is either a version or still queued, never both or neither.
/// </summary>
public sealed partial class VolumeCatalog
{
    /// <summary>
    /// Queues a closed file. With <paramref name="content"/> (a small file) the row holds its bytes, so this one
    /// commit makes it durable; without, the staged file must already be on disk (fsynced).
    /// </summary>
    public long AddPending(string path, string stagedFile, long size, CatalogAttributes attributes, DateTimeOffset queued, byte[]? content = null)
    {
        CheckContent(size, content);
        return Durably(() => InsertPending(path, stagedFile, size, attributes, queued, content));
    }

    /// <summary>
    /// Queues a closed file as <see cref="AddPending"/> does, but on a connection whose namespace commits are
    /// relaxed (<see cref="RelaxNamespaceSync"/>) returns before the row is on disk, with a ticket: acknowledge
    /// the close only once <see cref="WhenDurableAsync"/> with it completes. Closes in parallel then share one
    /// flush of the disk, and the caller need not hold its locks during the flush. Ticket 0: durable already.
    /// </summary>
    public (long Id, long Ticket) AddPendingGrouped(string path, string stagedFile, long size, CatalogAttributes attributes, DateTimeOffset queued, byte[]? content = null)
    {
        if (_groupSync is null)
        {
            return (AddPending(path, stagedFile, size, attributes, queued, content), 0);
        }

        CheckContent(size, content);
        long id = InsertPending(path, stagedFile, size, attributes, queued, content);
        return (id, _groupSync.Committed());
    }

    /// <summary>Completes once the commit that got <paramref name="ticket"/> from <see cref="AddPendingGrouped"/> is on disk.</summary>
    /// <exception cref="IOException">The disk refused the flush: the row may not survive a power cut.</exception>
    public Task WhenDurableAsync(long ticket, CancellationToken cancellationToken) =>
        ticket == 0 || _groupSync is null ? Task.CompletedTask : _groupSync.WhenDurableAsync(ticket, cancellationToken);

    private static void CheckContent(long size, byte[]? content)
    {
        if (content is not null && content.Length != size)
        {
            throw new ArgumentException($"The content is {content.Length} bytes, the file {size}.", nameof(content));
        }
    }

    private long InsertPending(string path, string stagedFile, long size, CatalogAttributes attributes, DateTimeOffset queued, byte[]? content)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText =
            "INSERT INTO pending (path, staged, size, mode, uid, gid, mtime_ns, queued_ms, content) VALUES ($path, $staged, $size, $mode, $uid, $gid, $mtime, $queued, $content);" +
            "SELECT last_insert_rowid();";
        command.Parameters.AddWithValue("$content", (object?)content ?? DBNull.Value);
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        command.Parameters.AddWithValue("$staged", stagedFile);
        command.Parameters.AddWithValue("$size", size);
        command.Parameters.AddWithValue("$queued", queued.ToUnixTimeMilliseconds());
        Bind(command, attributes);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Every queued commit, oldest first.</summary>
    public IReadOnlyList<PendingCommit> GetPending()
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT id, path, staged, size, mode, uid, gid, mtime_ns, queued_ms, content, deleted FROM pending ORDER BY id";
        var pending = new List<PendingCommit>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            pending.Add(new PendingCommit(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetInt64(3),
                new CatalogAttributes((uint)reader.GetInt64(4), (uint)reader.GetInt64(5), (uint)reader.GetInt64(6), reader.GetInt64(7)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)))
            {
                Content = reader.IsDBNull(9) ? null : (byte[])reader[9],
                Deleted = reader.GetInt64(10) != 0,
            });
        }

        return pending;
    }

    /// <summary>Bytes and files waiting in the journal.</summary>
    public (int Files, long Bytes) GetPendingTotals()
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM pending";
        using SqliteDataReader reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt32(0), reader.GetInt64(1));
    }

    /// <summary>The queued commit's current path (a rename moves it), or null when it was dropped.</summary>
    public string? GetPendingPath(long id)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT path FROM pending WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() as string;
    }

    /// <summary>
    /// The queued file was renamed to <paramref name="path"/> at <paramref name="at"/>. Its version will be dated
    /// no earlier than that (<c>queued_ms</c> becomes the time it reached this path): before it, the path held
    /// something else, and the volume as it was then must show that.
    /// </summary>
    public void MovePending(long id, string path, DateTimeOffset at)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "UPDATE pending SET path = $path, queued_ms = MAX(queued_ms, $at) WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    /// <summary>chmod, chown or touch of a closed file still in the journal.</summary>
    public void SetPendingAttributes(long id, CatalogAttributes attributes)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "UPDATE pending SET mode = $mode, uid = $uid, gid = $gid, mtime_ns = $mtime WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        Bind(command, attributes);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// The queued file was unlinked (or replaced by a rename) at <paramref name="at"/>, after it was closed: it
    /// is still recorded, so history keeps every closed file, followed by a tombstone dated by the unlink.
    /// </summary>
    public void MarkPendingDeleted(long id, DateTimeOffset at) => MarkDeleted(id, at, null);

    /// <summary>Drops a queued commit (its file was unlinked or replaced before it reached the swarm).</summary>
    public void RemovePending(long id)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "DELETE FROM pending WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Records the stored object as a new version at the queued commit's current path and removes the
    /// commit from the journal, in one transaction. A commit marked deleted is recorded with a tombstone after
    /// it, unless the path got a newer live version meanwhile (then it is superseded and only removed).
    /// Returns the version's id, or null if nothing was recorded.
    /// </summary>
    public long? CompletePending(long id, byte[] manifest, byte[] wrappedKey, long size, CatalogAttributes attributes, DateTimeOffset created) =>
        Durably(() => CompleteOne(id, manifest, wrappedKey, size, attributes, created));

    private long? CompleteOne(long id, byte[] manifest, byte[] wrappedKey, long size, CatalogAttributes attributes, DateTimeOffset created)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        long? version = Complete(transaction, id, manifest, wrappedKey, size, attributes, created, packOffset: null);
        transaction.Commit();
        return version;
    }

    /// <summary>
    /// Records a pack: every queued small file in <paramref name="files"/> becomes a version that is its range
    /// of the one stored object, and leaves the journal, all in one transaction (as <see cref="CompletePending"/>
    /// does for each). Returns each file's version id, or null where nothing was recorded, in order.
    /// </summary>
    public IReadOnlyList<long?> CompletePendingPacked(IReadOnlyList<PackedCommit> files, byte[] manifest, byte[] wrappedKey, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(files);
        return Durably(() => CompletePacked(files, manifest, wrappedKey, created));
    }

    private long?[] CompletePacked(IReadOnlyList<PackedCommit> files, byte[] manifest, byte[] wrappedKey, DateTimeOffset created)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        var versions = new long?[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            PackedCommit file = files[i];
            versions[i] = Complete(transaction, file.PendingId, manifest, wrappedKey, file.Size, file.Attributes, created, file.Offset);
        }

        transaction.Commit();
        return versions;
    }

    private long? Complete(SqliteTransaction transaction, long id, byte[] manifest, byte[] wrappedKey, long size, CatalogAttributes attributes, DateTimeOffset created, long? packOffset)
    {
        SqliteCommand find = Statement(
            "SELECT p.path, p.deleted, p.queued_ms, " +
            "  (SELECT COUNT(*) FROM versions v WHERE v.id = (SELECT MAX(id) FROM versions WHERE path = p.path) AND v.manifest IS NOT NULL AND COALESCE(v.dated_ms, v.created_ms) >= p.queued_ms) " +
            "FROM pending p WHERE p.id = $id",
            transaction,
            ("$id", id));
        string path;
        long deletedMs;
        long queuedMs;
        bool superseded;
        using (SqliteDataReader reader = find.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            path = reader.GetString(0);
            deletedMs = reader.GetInt64(1);
            queuedMs = reader.GetInt64(2);
            superseded = reader.GetInt64(3) != 0;
        }

        // A version is dated (versions.dated_ms) when its file was closed, or renamed to this path if that came
        // later (MovePending), not when its upload finished, which can be minutes later in a big copy or after a
        // restart: the volume as it was at an instant (.ugloo/at, restore --at) then shows what had been closed
        // there by then. created_ms stays the record time, which S3's Last-Modified and ctime show: those must
        // not go back. Queries at an instant take the highest id dated at or before it; ids keep record order, as
        // the live tree does, so a version another writer stored between this close and this record stays older
        // than this one at every instant, as it is now. A tombstone for an unlink while queued is dated by the
        // unlink (pending.deleted).
        long? version = null;
        bool deleted = deletedMs != 0;
        if (!deleted || !superseded)
        {
            long datedMs = Math.Min(queuedMs, created.ToUnixTimeMilliseconds());
            version = Insert(path, size, manifest, wrappedKey, created, null, attributes, transaction, packOffset, DateTimeOffset.FromUnixTimeMilliseconds(datedMs));
            if (deleted)
            {
                // A row of an older catalog (1) does not say when: the version then shows at no instant, as before.
                long unlinkedMs = deletedMs > 1 ? Math.Max(deletedMs, datedMs) : datedMs;
                Insert(path, 0, null, null, created, null, null, transaction, dated: DateTimeOffset.FromUnixTimeMilliseconds(unlinkedMs));
            }
        }

        Statement("DELETE FROM pending WHERE id = $id", transaction, ("$id", id)).ExecuteNonQuery();
        return version;
    }
}
