using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog;

/// <summary>
/// The client's catalog in SQLite (WAL): every version of every file, newest last. Versions are only
/// ever added (DESIGN.md invariant 3): a delete adds a tombstone. Directories are implied by file paths;
/// a directory made explicitly (mkdir on the mount, or kept after its last file went) has a row in the
/// directories table, which is not versioned: rmdir removes it. Several processes (the daemon and CLI
/// commands) may open one catalog at once; WAL and a busy timeout let them take turns.
/// </summary>
public sealed partial class VolumeCatalog : IDisposable
{
    // Schema 2 adds the directories table (explicit, possibly empty directories made by mkdir on the mount).
    // Schema 3 adds per-version kind (file or symlink), link target, mode, owner and mtime, the same
    // attributes for explicit directories, and the write-back journal (pending).
    // Schema 5 adds pack_offset: small files packed into one object (a version is a range of it), and small
    // files' content in their journal rows.
    private const int SchemaVersion = 6;

    private const string VersionColumns = "v.id, v.path, v.created_ms, v.size, v.manifest, v.wrapped_key, v.target, v.mode, v.uid, v.gid, v.mtime_ns, v.pack_offset, v.dated_ms";

    /// <summary>A version's place in time for the volume as it was at an instant (schema 6; see <see cref="CatalogVersion.Dated"/>).</summary>
    private const string DatedSql = "COALESCE(v.dated_ms, v.created_ms)";

    private readonly SqliteConnection _connection;

    // Set by RelaxNamespaceSync: the connection commits with synchronous=NORMAL except where Durably asks for FULL.
    private bool _relaxed;

    // Set by RelaxNamespaceSync: journal rows made durable by shared flushes of the WAL (AddPendingGrouped).
    private WalGroupSync? _groupSync;

    /// <summary>The shared flushes of the WAL, once <see cref="RelaxNamespaceSync"/> made them (for tests).</summary>
    internal WalGroupSync? GroupSync => _groupSync;

    private VolumeCatalog(SqliteConnection connection)
    {
        _connection = connection;
    }

    public static VolumeCatalog Open(string file)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        var catalog = new VolumeCatalog(connection);
        catalog.Migrate();
        return catalog;
    }

    /// <summary>
    /// For the mount: namespace changes (unlink, rename, mkdir, rmdir, attributes, xattrs) return before they
    /// reach the disk (SQLite's synchronous=NORMAL in WAL mode: atomic, and durable with the next durable commit
    /// or checkpoint). What must survive a power cut when the call returns stays durable on its own: new
    /// versions and the journal rows' completion commit with synchronous=FULL, and a journal row added with
    /// <see cref="AddPendingGrouped"/> is durable once its flush of the WAL is done (<see cref="WalGroupSync"/>).
    /// The WAL is written in order, so a power cut
    /// loses at most the last namespace changes, never one before a durable commit.
    /// </summary>
    public void RelaxNamespaceSync()
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL;";
        command.ExecuteNonQuery();
        _relaxed = true;
        _groupSync = new WalGroupSync(_connection.DataSource + "-wal");
    }

    /// <summary>Makes every change committed so far durable (fsync of a directory on the mount).</summary>
    public void SyncNamespace()
    {
        if (!_relaxed)
        {
            return;
        }

        // A checkpoint syncs the WAL before it copies pages back, and the WAL holds every commit in order.
        Durably(() =>
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            command.ExecuteNonQuery();
            return 0;
        });
    }

    /// <summary>Runs <paramref name="write"/> with synchronous=FULL: its commit is on disk when it returns.</summary>
    private T Durably<T>(Func<T> write)
    {
        if (!_relaxed)
        {
            return write();
        }

        // After a failed flush of the WAL, a commit's own fsync that succeeds proves nothing (the lost pages may
        // have been marked clean), and a lost frame makes every later one unreadable at recovery.
        _groupSync?.ThrowIfFailed();
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=FULL;";
        command.ExecuteNonQuery();
        try
        {
            return write();
        }
        finally
        {
            command.CommandText = "PRAGMA synchronous=NORMAL;";
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Adds a new version of <paramref name="path"/> and returns its id.</summary>
    public long AddVersion(string path, long size, byte[] manifest, byte[] wrappedKey, DateTimeOffset created, CatalogAttributes? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(wrappedKey);
        return Durably(() => Insert(CatalogPath.Normalize(path), size, manifest, wrappedKey, created, null, attributes));
    }

    /// <summary>Adds a symbolic link to <paramref name="target"/> as the newest version of <paramref name="path"/>.</summary>
    public long AddSymlink(string path, string target, DateTimeOffset created, CatalogAttributes? attributes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        return Insert(CatalogPath.Normalize(path), System.Text.Encoding.UTF8.GetByteCount(target), [], [], created, target, attributes);
    }

    /// <summary>
    /// Adds a copy of an existing version under <paramref name="path"/> (rename, restore): the same object, so
    /// nothing is stored again (its key is wrapped for the object id, not the path).
    /// </summary>
    public long AddCopy(string path, CatalogVersion source, DateTimeOffset created, CatalogAttributes? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.IsTombstone)
        {
            throw new ArgumentException("A deleted version has nothing to copy.", nameof(source));
        }

        return Insert(CatalogPath.Normalize(path), source.Size, source.Manifest!, source.WrappedKey!, created, source.LinkTarget, attributes ?? source.Attributes, packOffset: source.PackOffset);
    }

    /// <summary>Marks <paramref name="path"/> deleted from now on; older versions stay readable.</summary>
    public long AddTombstone(string path, DateTimeOffset created) => Insert(CatalogPath.Normalize(path), 0, null, null, created, null, null);

    /// <summary>The newest version, or null when the file never existed or its newest version is a tombstone.</summary>
    public CatalogVersion? GetLatest(string path)
    {
        // Prepared once: the mount asks for every stat and open of a file it has not written itself.
        using SqliteDataReader reader = Statement(LatestSql, null, ("$path", CatalogPath.Normalize(path))).ExecuteReader();
        CatalogVersion? latest = reader.Read() ? ReadVersion(reader) : null;
        return latest is { IsTombstone: false } ? latest : null;
    }

    /// <summary>Every version of <paramref name="path"/>, tombstones included, oldest first.</summary>
    public IReadOnlyList<CatalogVersion> GetVersions(string path)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = $"SELECT {VersionColumns} FROM versions v WHERE v.path = $path ORDER BY v.id";
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        return ReadVersions(command);
    }

    /// <summary>Every live regular file's newest version (symbolic links have no object), for status and listings.</summary>
    public IReadOnlyList<CatalogVersion> GetAllLatest()
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText =
            $"SELECT {VersionColumns} FROM versions v " +
            "JOIN (SELECT path, MAX(id) AS id FROM versions GROUP BY path) newest ON newest.id = v.id " +
            "WHERE v.manifest IS NOT NULL AND v.target IS NULL ORDER BY v.path";
        return ReadVersions(command);
    }

    /// <summary>Records <paramref name="path"/> as an explicit directory (kept even when empty); no-op if it is one already.</summary>
    public void AddDirectory(string path, DateTimeOffset created)
    {
        string dir = CatalogPath.Normalize(path);
        if (dir == "/")
        {
            return;
        }

        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO directories (path, created_ms) VALUES ($path, $created)";
        command.Parameters.AddWithValue("$path", dir);
        command.Parameters.AddWithValue("$created", created.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Removes the explicit directory <paramref name="path"/> (at <paramref name="removed"/>, default now); true
    /// if it was one. History keeps it: the tree as of an earlier instant still shows it (schema 4).
    /// </summary>
    public bool RemoveDirectory(string path, DateTimeOffset? removed = null)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        using SqliteCommand command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            "INSERT INTO removed_directories (path, created_ms, removed_ms) SELECT path, created_ms, $removed FROM directories WHERE path = $path;" +
            "DELETE FROM directories WHERE path = $path";
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        command.Parameters.AddWithValue("$removed", (removed ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds());
        bool was = command.ExecuteNonQuery() > 0;
        transaction.Commit();
        return was;
    }

    /// <summary>
    /// Moves the directory <paramref name="from"/> to <paramref name="to"/> in one transaction: every live
    /// file below it gets a version at the new path with the same object (keys are wrapped for the object
    /// id, not the path) and a tombstone at the old one; explicit directories move. Returns the files moved.
    /// </summary>
    public int RenameDirectory(string from, string to, DateTimeOffset created)
    {
        string source = CatalogPath.Normalize(from);
        string target = CatalogPath.Normalize(to);
        if (source == "/" || target == source || target.StartsWith(source + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Cannot move {source} to {target}.", nameof(to));
        }

        const string newest =
            "SELECT v.path, v.size, v.manifest, v.wrapped_key, v.target, v.mode, v.uid, v.gid, v.mtime_ns, v.pack_offset FROM versions v " +
            "JOIN (SELECT path, MAX(id) AS id FROM versions WHERE path >= $lo AND path < $hi GROUP BY path) n ON n.id = v.id " +
            "WHERE v.manifest IS NOT NULL";
        using SqliteTransaction transaction = _connection.BeginTransaction();
        using SqliteCommand command = _connection.CreateCommand();
        command.Transaction = transaction;

        // SQLite's length() and substr() count characters of the stored text, so the old prefix is cut by
        // SQLite itself (a C# length counts UTF-16 units, which differ for names outside the BMP).
        command.CommandText =
            "DROP TABLE IF EXISTS temp.moving;" +
            "CREATE TEMP TABLE moving (path TEXT, size INTEGER, manifest BLOB, wrapped_key BLOB, target TEXT, mode INTEGER, uid INTEGER, gid INTEGER, mtime_ns INTEGER, pack_offset INTEGER);" +
            $"INSERT INTO moving {newest};" +
            "INSERT INTO versions (path, created_ms, size, manifest, wrapped_key, target, mode, uid, gid, mtime_ns, pack_offset) " +
            "  SELECT $to || substr(path, length($from) + 1), $created, size, manifest, wrapped_key, target, mode, uid, gid, mtime_ns, pack_offset FROM moving ORDER BY path;" +
            "UPDATE pending SET path = $to || substr(path, length($from) + 1), queued_ms = MAX(queued_ms, $created) WHERE path >= $lo AND path < $hi AND deleted = 0;" +
            "UPDATE OR REPLACE xattrs SET path = $to || substr(path, length($from) + 1) WHERE path = $from OR (path >= $lo AND path < $hi);" +
            "INSERT INTO versions (path, created_ms, size, manifest, wrapped_key) SELECT path, $created, 0, NULL, NULL FROM moving ORDER BY path;" +
            "INSERT INTO removed_directories (path, created_ms, removed_ms) SELECT path, created_ms, $created FROM directories WHERE path = $from OR (path >= $lo AND path < $hi);" +
            "UPDATE OR REPLACE directories SET path = $to || substr(path, length($from) + 1), created_ms = $created WHERE path = $from OR (path >= $lo AND path < $hi);" +
            "INSERT OR IGNORE INTO directories (path, created_ms) VALUES ($to, $created);" +
            "SELECT COUNT(*) FROM moving;";
        command.Parameters.AddWithValue("$from", source);
        command.Parameters.AddWithValue("$to", target);
        command.Parameters.AddWithValue("$lo", source + "/");
        command.Parameters.AddWithValue("$hi", source + "/\uffff");
        command.Parameters.AddWithValue("$created", created.ToUnixTimeMilliseconds());
        int moved = Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        command.CommandText = "DELETE FROM moving;";
        command.ExecuteNonQuery();
        transaction.Commit();
        return moved;
    }

    /// <summary>
    /// When <paramref name="path"/> is a directory (the root, an explicit one, or one implied by a live file or
    /// an explicit directory below it), when it became one (the newest change under it); else null.
    /// </summary>
    public DateTimeOffset? GetDirectory(string path, DateTimeOffset? at = null)
    {
        string dir = CatalogPath.Normalize(path);
        if (dir == "/")
        {
            return DateTimeOffset.UnixEpoch;
        }

        // Asked for every directory's attributes (the kernel does after each create or unlink in it): prepared.
        long atMs = AtMilliseconds(at);
        if (Statement("SELECT created_ms FROM directories WHERE path = $path AND created_ms <= $at", null, ("$path", dir), ("$at", atMs)).ExecuteScalar() is long created)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(created);
        }

        if (at is not null)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "SELECT MAX(created_ms) FROM removed_directories WHERE path = $path AND created_ms <= $at AND removed_ms > $at";
            command.Parameters.AddWithValue("$path", dir);
            command.Parameters.AddWithValue("$at", atMs);
            if (command.ExecuteScalar() is long createdThen)
            {
                return DateTimeOffset.FromUnixTimeMilliseconds(createdThen);
            }
        }

        IReadOnlyList<CatalogEntry> children = List(dir, at);
        return children.Count == 0 ? null : children.Max(c => c.Modified);
    }

    /// <summary>
    /// The immediate children of <paramref name="directory"/>: live files, directories implied by file paths
    /// and explicit directories (and their ancestors). With <paramref name="at"/>, the directory as it was then
    /// (explicit directories count from when they were made until they were removed or moved).
    /// </summary>
    public IReadOnlyList<CatalogEntry> List(string directory, DateTimeOffset? at = null)
    {
        string dir = CatalogPath.Normalize(directory);
        string prefix = dir == "/" ? "/" : dir + "/";
        using SqliteCommand command = _connection.CreateCommand();

        // Range scan on the path index: every path that starts with the prefix sorts in [prefix, prefix + U+FFFF).
        command.CommandText =
            $"SELECT {VersionColumns}, newest.n FROM versions v " +
            "JOIN (SELECT path, MAX(id) AS id, COUNT(*) AS n FROM versions WHERE path >= $lo AND path < $hi AND COALESCE(dated_ms, created_ms) <= $at GROUP BY path) newest " +
            "ON newest.id = v.id WHERE v.manifest IS NOT NULL ORDER BY v.path";
        command.Parameters.AddWithValue("$lo", prefix);
        command.Parameters.AddWithValue("$hi", prefix + "\uffff");
        command.Parameters.AddWithValue("$at", AtMilliseconds(at));
        var entries = new SortedDictionary<string, CatalogEntry>(StringComparer.Ordinal);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            string path = reader.GetString(1);
            string rest = path[prefix.Length..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            var modified = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2));
            if (slash < 0)
            {
                CatalogVersion latest = ReadVersion(reader);
                entries[rest] = new CatalogEntry(rest, path, false, latest.Size, modified, reader.GetInt32(13)) { IsSymlink = latest.IsSymlink, Latest = latest };
            }
            else
            {
                string name = rest[..slash];
                DateTimeOffset newest = entries.TryGetValue(name, out CatalogEntry? seen) && seen.Modified > modified ? seen.Modified : modified;
                entries[name] = new CatalogEntry(name, prefix + name, true, 0, newest, 0);
            }
        }

        reader.Close();
        using SqliteCommand explicitDirectories = _connection.CreateCommand();
        explicitDirectories.CommandText =
            "SELECT path, created_ms FROM directories WHERE path >= $lo AND path < $hi AND created_ms <= $at " +
            "UNION ALL SELECT path, created_ms FROM removed_directories WHERE path >= $lo AND path < $hi AND created_ms <= $at AND removed_ms > $at";
        explicitDirectories.Parameters.AddWithValue("$at", AtMilliseconds(at));
        explicitDirectories.Parameters.AddWithValue("$lo", prefix);
        explicitDirectories.Parameters.AddWithValue("$hi", prefix + "\uffff");
        using SqliteDataReader directories = explicitDirectories.ExecuteReader();
        while (directories.Read())
        {
            string rest = directories.GetString(0)[prefix.Length..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            string name = slash < 0 ? rest : rest[..slash];
            var created = DateTimeOffset.FromUnixTimeMilliseconds(directories.GetInt64(1));

            // A file of the same name wins: a path cannot be both (the mount never makes such a pair).
            if (!entries.TryGetValue(name, out CatalogEntry? seen))
            {
                entries[name] = new CatalogEntry(name, prefix + name, true, 0, created, 0);
            }
            else if (seen.IsDirectory && seen.Modified < created)
            {
                entries[name] = seen with { Modified = created };
            }
        }

        return [.. entries.Values];
    }

    public void Dispose()
    {
        foreach (SqliteCommand command in _statements.Values)
        {
            command.Dispose();
        }

        // The WAL's own descriptor first: the connection's close may checkpoint and delete the file.
        _groupSync?.Dispose();
        _connection.Dispose();
    }

    private static long AtMilliseconds(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds() ?? long.MaxValue;

    private const string InsertVersionSql =
        "INSERT INTO versions (path, created_ms, size, manifest, wrapped_key, target, mode, uid, gid, mtime_ns, pack_offset, dated_ms) " +
        "VALUES ($path, $created, $size, $manifest, $key, $target, $mode, $uid, $gid, $mtime, $pack, $dated) RETURNING id;";

    /// <summary>Inserts a version recorded at <paramref name="created"/>; <paramref name="dated"/> when it belongs earlier in time (<see cref="CatalogVersion.Dated"/>).</summary>
    private long Insert(string path, long size, byte[]? manifest, byte[]? wrappedKey, DateTimeOffset created, string? target, CatalogAttributes? attributes, SqliteTransaction? transaction = null, long? packOffset = null, DateTimeOffset? dated = null)
    {
        SqliteCommand command = Statement(
            InsertVersionSql,
            transaction,
            ("$path", path),
            ("$created", created.ToUnixTimeMilliseconds()),
            ("$dated", dated is { } d && d.ToUnixTimeMilliseconds() != created.ToUnixTimeMilliseconds() ? d.ToUnixTimeMilliseconds() : null),
            ("$size", size),
            ("$manifest", manifest),
            ("$key", wrappedKey),
            ("$target", target),
            ("$mode", attributes?.Mode),
            ("$uid", attributes?.Uid),
            ("$gid", attributes?.Gid),
            ("$mtime", attributes?.ModifiedNs),
            ("$pack", packOffset));
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    internal static List<CatalogVersion> ReadVersions(SqliteCommand command)
    {
        var versions = new List<CatalogVersion>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            versions.Add(ReadVersion(reader));
        }

        return versions;
    }

    /// <summary>One row of the version columns every query selects (id, path, created, size, manifest, key, target, mode, uid, gid, mtime, pack offset, dated).</summary>
    private static CatalogVersion ReadVersion(SqliteDataReader reader)
    {
        bool tombstone = reader.IsDBNull(4);
        return new CatalogVersion(
            reader.GetInt64(0),
            reader.GetString(1),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
            reader.GetInt64(3),
            tombstone,
            tombstone ? null : (byte[])reader[4],
            tombstone ? null : (byte[])reader[5])
        {
            LinkTarget = reader.IsDBNull(6) ? null : reader.GetString(6),
            Attributes = reader.IsDBNull(7)
                ? null
                : new CatalogAttributes((uint)reader.GetInt64(7), (uint)reader.GetInt64(8), (uint)reader.GetInt64(9), reader.GetInt64(10)),
            PackOffset = reader.IsDBNull(11) ? null : reader.GetInt64(11),
            DatedAt = reader.IsDBNull(12) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)),
        };
    }

    private void Migrate()
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
        command.ExecuteNonQuery();
        command.CommandText = "PRAGMA user_version;";
        long version = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new InvalidOperationException($"The catalog was written by a newer Ugloo (schema {version}; this one knows {SchemaVersion}).");
        }

        if (version == SchemaVersion)
        {
            EnsureXattrs();
            return;
        }

        // Each step takes the schema one version up; older catalogs keep their rows untouched.
        using SqliteTransaction transaction = _connection.BeginTransaction();
        using SqliteCommand create = _connection.CreateCommand();
        create.Transaction = transaction;
        create.CommandText =
            "CREATE TABLE IF NOT EXISTS versions (" +
            "  id INTEGER PRIMARY KEY AUTOINCREMENT," +
            "  path TEXT NOT NULL," +
            "  created_ms INTEGER NOT NULL," +
            "  size INTEGER NOT NULL," +
            "  manifest BLOB," +        // public manifest; NULL for a tombstone, empty for a symlink
            "  wrapped_key BLOB);" +    // object key wrapped by the volume key
            "CREATE INDEX IF NOT EXISTS versions_path ON versions (path, id);" +
            "CREATE TABLE IF NOT EXISTS directories (" + // schema 2
            "  path TEXT PRIMARY KEY," +
            "  created_ms INTEGER NOT NULL);";
        create.ExecuteNonQuery();
        if (version < 3)
        {
            create.CommandText =
                "ALTER TABLE versions ADD COLUMN target TEXT;" +     // symlink target; NULL for a file
                "ALTER TABLE versions ADD COLUMN mode INTEGER;" +     // permission bits; NULL: not recorded
                "ALTER TABLE versions ADD COLUMN uid INTEGER;" +
                "ALTER TABLE versions ADD COLUMN gid INTEGER;" +
                "ALTER TABLE versions ADD COLUMN mtime_ns INTEGER;" +
                "ALTER TABLE directories ADD COLUMN mode INTEGER;" +
                "ALTER TABLE directories ADD COLUMN uid INTEGER;" +
                "ALTER TABLE directories ADD COLUMN gid INTEGER;" +
                "ALTER TABLE directories ADD COLUMN mtime_ns INTEGER;" +
                "CREATE TABLE IF NOT EXISTS pending (" +
                "  id INTEGER PRIMARY KEY AUTOINCREMENT," +
                "  path TEXT NOT NULL," +
                "  staged TEXT NOT NULL," +   // the staged file's full path
                "  size INTEGER NOT NULL," +
                "  mode INTEGER NOT NULL, uid INTEGER NOT NULL, gid INTEGER NOT NULL, mtime_ns INTEGER NOT NULL," +
                "  queued_ms INTEGER NOT NULL," +
                "  deleted INTEGER NOT NULL DEFAULT 0);" + // unlinked after close (when, Unix ms; 1 in older catalogs): record the version, then a tombstone
                "CREATE INDEX IF NOT EXISTS pending_path ON pending (path, id);";
            create.ExecuteNonQuery();
        }

        if (version < 4)
        {
            // Explicit directories removed (rmdir) or moved away, with their lifetime, for the tree as of an instant.
            create.CommandText =
                "CREATE TABLE IF NOT EXISTS removed_directories (path TEXT NOT NULL, created_ms INTEGER NOT NULL, removed_ms INTEGER NOT NULL);" +
                "CREATE INDEX IF NOT EXISTS removed_directories_path ON removed_directories (path);";
            create.ExecuteNonQuery();
        }

        if (version < 5)
        {
            // A small file packed with others into one object: its bytes start here in the object (NULL: a whole object).
            // A small closed file's bytes in its journal row (one commit makes it durable; NULL: the staged file holds them).
            create.CommandText = "ALTER TABLE versions ADD COLUMN pack_offset INTEGER; ALTER TABLE pending ADD COLUMN content BLOB;";
            create.ExecuteNonQuery();
        }

        if (version < 6)
        {
            // When a version belongs in time, where that differs from when it was recorded (NULL: the same): a file
            // closed on the mount is recorded once its upload ends, minutes later in a big copy.
            create.CommandText = "ALTER TABLE versions ADD COLUMN dated_ms INTEGER;";
            create.ExecuteNonQuery();
        }

        create.CommandText = $"PRAGMA user_version = {SchemaVersion};";
        create.ExecuteNonQuery();
        transaction.Commit();
        EnsureXattrs();
    }
}
