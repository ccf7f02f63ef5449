using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog;

/// <summary>
/// The queries the mount asks most often, each answered with one statement: a directory's files with their
/// newest versions (readdirplus of a big directory), what a path is now (lookup), and an unlink.
/// </summary>
public sealed partial class VolumeCatalog
{
    /// <summary>What a path names now: its newest live version, else whether it is a directory, else nothing.</summary>
    public readonly record struct PathProbe(CatalogVersion? Latest, bool IsDirectory);

    /// <summary>
    /// The newest live version of every file directly in <paramref name="directory"/>, by name (symbolic links
    /// included; tombstoned names left out), in one range scan of the path index.
    /// </summary>
    public Dictionary<string, CatalogVersion> ListLatest(string directory)
    {
        string dir = CatalogPath.Normalize(directory);
        string prefix = dir == "/" ? "/" : dir + "/";
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText =
            $"SELECT {VersionColumns} FROM versions v " +
            "JOIN (SELECT path, MAX(id) AS id FROM versions WHERE path >= $lo AND path < $hi GROUP BY path) newest ON newest.id = v.id " +
            "WHERE v.manifest IS NOT NULL";
        command.Parameters.AddWithValue("$lo", prefix);
        command.Parameters.AddWithValue("$hi", prefix + "\uffff");
        var latest = new Dictionary<string, CatalogVersion>(StringComparer.Ordinal);
        foreach (CatalogVersion version in ReadVersions(command))
        {
            string rest = version.Path[prefix.Length..];
            if (!rest.Contains('/', StringComparison.Ordinal))
            {
                latest[rest] = version;
            }
        }

        return latest;
    }

    /// <summary>
    /// What <paramref name="path"/> names now, in one statement: the newest version if it is live, else whether
    /// it is a directory (explicit, or implied by a live file or an explicit directory below it), as <see cref="GetLatest"/> and
    /// <see cref="GetDirectory"/> would say. A name that does not exist (every create) costs one query.
    /// </summary>
    public PathProbe Probe(string path)
    {
        string normalized = CatalogPath.Normalize(path);
        if (normalized == "/")
        {
            return new PathProbe(null, true);
        }

        _probe ??= PrepareProbe();
        _probe.Parameters["$path"].Value = normalized;
        _probe.Parameters["$lo"].Value = normalized + "/";
        _probe.Parameters["$hi"].Value = normalized + "/\uffff";
        CatalogVersion? latest = null;
        bool directory = false;
        using (SqliteDataReader reader = _probe.ExecuteReader())
        {
            while (reader.Read())
            {
                if (reader.IsDBNull(0))
                {
                    directory = reader.GetInt64(12) != 0;
                }
                else
                {
                    latest = ReadVersion(reader);
                }
            }
        }

        return latest is { IsTombstone: false } ? new PathProbe(latest, false) : new PathProbe(null, directory);
    }

    /// <summary>
    /// unlink(2) in one transaction: keeps the parent directory explicit, adds a tombstone if the path has a
    /// live version, marks the given journal rows deleted (still recorded, then tombstoned, so history keeps
    /// every closed file) and drops the path's xattrs. Returns whether a tombstone was added.
    /// </summary>
    public bool Unlink(string path, IEnumerable<long> pendingIds, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(pendingIds);
        string normalized = CatalogPath.Normalize(path);
        using SqliteTransaction transaction = _connection.BeginTransaction();
        if (_unlink is null)
        {
            _unlink = _connection.CreateCommand();
            _unlink.CommandText =
                "INSERT OR IGNORE INTO directories (path, created_ms) SELECT $parent, $created WHERE $parent <> '/';" +
                "DELETE FROM xattrs WHERE path = $path;" +
                "SELECT manifest IS NOT NULL FROM versions WHERE path = $path ORDER BY id DESC LIMIT 1;";
            _unlink.Parameters.Add("$parent", SqliteType.Text);
            _unlink.Parameters.Add("$path", SqliteType.Text);
            _unlink.Parameters.Add("$created", SqliteType.Integer);
        }

        SqliteCommand command = _unlink;
        command.Transaction = transaction;
        command.Parameters["$parent"].Value = CatalogPath.Parent(normalized);
        command.Parameters["$path"].Value = normalized;
        command.Parameters["$created"].Value = created.ToUnixTimeMilliseconds();
        bool live = command.ExecuteScalar() is long l && l != 0;
        if (live)
        {
            Insert(normalized, 0, null, null, created, null, null, transaction);
        }

        foreach (long pending in pendingIds)
        {
            MarkDeleted(pending, transaction);
        }

        transaction.Commit();
        return live;
    }

    private void MarkDeleted(long pendingId, SqliteTransaction? transaction)
    {
        if (_markDeleted is null)
        {
            _markDeleted = _connection.CreateCommand();
            _markDeleted.CommandText = "UPDATE pending SET deleted = 1 WHERE id = $id";
            _markDeleted.Parameters.Add("$id", SqliteType.Integer);
            _markDeleted.Prepare();
        }

        _markDeleted.Transaction = transaction;
        _markDeleted.Parameters["$id"].Value = pendingId;
        _markDeleted.ExecuteNonQuery();
    }

    private SqliteCommand? _unlink;
    private SqliteCommand? _markDeleted;

    /// <summary>
    /// As <see cref="GetLatest"/>, with a statement prepared once: the mount asks it for every stat and open
    /// of a file it has not written itself, and parsing the SQL again each time cost more than running it.
    /// </summary>
    public CatalogVersion? GetLatestPrepared(string path)
    {
        if (_latest is null)
        {
            _latest = _connection.CreateCommand();
            _latest.CommandText = $"SELECT {VersionColumns} FROM versions v WHERE v.path = $path ORDER BY v.id DESC LIMIT 1";
            _latest.Parameters.Add("$path", SqliteType.Text);
            _latest.Prepare();
        }

        _latest.Parameters["$path"].Value = CatalogPath.Normalize(path);
        using SqliteDataReader reader = _latest.ExecuteReader();
        CatalogVersion? latest = reader.Read() ? ReadVersion(reader) : null;
        return latest is { IsTombstone: false } ? latest : null;
    }

    private SqliteCommand? _probe;
    private SqliteCommand? _latest;

    private SqliteCommand PrepareProbe()
    {
        // Row 1: the newest version of the path (if any). Row 2: NULLs and whether it is a directory. The
        // implied-directory test stops at the first live file below (a path whose newest version has an object).
        SqliteCommand command = _connection.CreateCommand();
        command.CommandText =
            $"SELECT * FROM (SELECT {VersionColumns}, 0 FROM versions v WHERE v.path = $path ORDER BY v.id DESC LIMIT 1) " +
            "UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, " +
            "  EXISTS (SELECT 1 FROM directories WHERE path = $path OR (path >= $lo AND path < $hi)) OR EXISTS (" +
            "    SELECT 1 FROM versions v WHERE v.path >= $lo AND v.path < $hi AND v.manifest IS NOT NULL " +
            "    AND v.id = (SELECT MAX(id) FROM versions WHERE path = v.path))";
        command.Parameters.Add("$path", SqliteType.Text);
        command.Parameters.Add("$lo", SqliteType.Text);
        command.Parameters.Add("$hi", SqliteType.Text);
        command.Prepare();
        return command;
    }
}
