using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog;

/// <summary>
/// The queries the mount asks most often, each answered with one prepared statement: what a path is now
/// (lookup), its newest version, and an unlink.
/// </summary>
public sealed partial class VolumeCatalog
{
    /// <summary>What a path names now: its newest live version, else whether it is a directory, else nothing.</summary>
    public readonly record struct PathProbe(CatalogVersion? Latest, bool IsDirectory);

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

        SqliteCommand probe = Statement(ProbeSql, null, ("$path", normalized), ("$lo", normalized + "/"), ("$hi", normalized + "/\uffff"));
        CatalogVersion? latest = null;
        bool directory = false;
        using (SqliteDataReader reader = probe.ExecuteReader())
        {
            while (reader.Read())
            {
                if (reader.IsDBNull(0))
                {
                    directory = reader.GetInt64(13) != 0;
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
    /// SQLite's <c>data_version</c>: it changes when another connection commits (ugloo put, restore, the S3
    /// gateway, another process), never for this connection's own commits. While it stays the same, what this
    /// connection's owner last read and kept up to date itself is still current.
    /// </summary>
    public long DataVersion() => (long)Statement("PRAGMA data_version", null).ExecuteScalar()!;

    /// <summary>The newest version id (0 for none): where a watch for later versions starts.</summary>
    public long LastVersionId() => Statement("SELECT COALESCE(MAX(id), 0) FROM versions", null).ExecuteScalar() is long id ? id : 0;

    /// <summary>
    /// Versions (tombstones too) added after <paramref name="afterId"/>, oldest first, at most
    /// <paramref name="limit"/>: what changed since a watch last looked.
    /// </summary>
    public IReadOnlyList<(long Id, string Path)> VersionsAfter(long afterId, int limit)
    {
        var changes = new List<(long, string)>();
        using SqliteDataReader reader = Statement("SELECT id, path FROM versions WHERE id > $after ORDER BY id LIMIT $limit", null, ("$after", afterId), ("$limit", limit)).ExecuteReader();
        while (reader.Read())
        {
            changes.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return changes;
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
        SqliteCommand command = Statement(
            "INSERT OR IGNORE INTO directories (path, created_ms) SELECT $parent, $created WHERE $parent <> '/';" +
            "DELETE FROM xattrs WHERE path = $path;" +
            "SELECT manifest IS NOT NULL FROM versions WHERE path = $path ORDER BY id DESC LIMIT 1;",
            transaction,
            ("$parent", CatalogPath.Parent(normalized)),
            ("$path", normalized),
            ("$created", created.ToUnixTimeMilliseconds()));
        bool live = command.ExecuteScalar() is long l && l != 0;
        if (live)
        {
            Insert(normalized, 0, null, null, created, null, null, transaction);
        }

        foreach (long pending in pendingIds)
        {
            MarkDeleted(pending, created, transaction);
        }

        transaction.Commit();
        return live;
    }

    // pending.deleted: 0 while the queued file lives; else when it was first unlinked or replaced, in Unix ms
    // (rows of older catalogs hold 1: deleted at an unknown time).
    private void MarkDeleted(long pendingId, DateTimeOffset at, SqliteTransaction? transaction) =>
        Statement("UPDATE pending SET deleted = CASE WHEN deleted = 0 THEN MAX($at, 2) ELSE deleted END WHERE id = $id", transaction, ("$id", pendingId), ("$at", at.ToUnixTimeMilliseconds())).ExecuteNonQuery();

    private const string LatestSql = $"SELECT {VersionColumns} FROM versions v WHERE v.path = $path ORDER BY v.id DESC LIMIT 1";

    // Row 1: the newest version of the path (if any). Row 2: NULLs and whether it is a directory. The
    // implied-directory test stops at the first live file below (a path whose newest version has an object).
    private const string ProbeSql =
        $"SELECT * FROM (SELECT {VersionColumns}, 0 FROM versions v WHERE v.path = $path ORDER BY v.id DESC LIMIT 1) " +
        "UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, " +
        "  EXISTS (SELECT 1 FROM directories WHERE path = $path OR (path >= $lo AND path < $hi)) OR EXISTS (" +
        "    SELECT 1 FROM versions v WHERE v.path >= $lo AND v.path < $hi AND v.manifest IS NOT NULL " +
        "    AND v.id = (SELECT MAX(id) FROM versions WHERE path = v.path))";
}
