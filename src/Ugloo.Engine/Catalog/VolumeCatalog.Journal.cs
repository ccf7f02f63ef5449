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
    public long AddPending(string path, string stagedFile, long size, CatalogAttributes attributes, DateTimeOffset queued)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText =
            "INSERT INTO pending (path, staged, size, mode, uid, gid, mtime_ns, queued_ms) VALUES ($path, $staged, $size, $mode, $uid, $gid, $mtime, $queued);" +
            "SELECT last_insert_rowid();";
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
        command.CommandText = "SELECT id, path, staged, size, mode, uid, gid, mtime_ns, queued_ms FROM pending ORDER BY id";
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
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8))));
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

    public void MovePending(long id, string path)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "UPDATE pending SET path = $path WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        command.ExecuteNonQuery();
    }

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
    /// commit from the journal, in one transaction. Returns the version's id, or null if the commit had been
    /// dropped meanwhile (nothing is recorded then).
    /// </summary>
    public long? CompletePending(long id, byte[] manifest, byte[] wrappedKey, long size, CatalogAttributes attributes, DateTimeOffset created)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        using SqliteCommand find = _connection.CreateCommand();
        find.Transaction = transaction;
        find.CommandText = "SELECT path FROM pending WHERE id = $id";
        find.Parameters.AddWithValue("$id", id);
        if (find.ExecuteScalar() is not string path)
        {
            return null;
        }

        long version = Insert(path, size, manifest, wrappedKey, created, null, attributes, transaction);
        using SqliteCommand remove = _connection.CreateCommand();
        remove.Transaction = transaction;
        remove.CommandText = "DELETE FROM pending WHERE id = $id";
        remove.Parameters.AddWithValue("$id", id);
        remove.ExecuteNonQuery();
        transaction.Commit();
        return version;
    }
}
