using Microsoft.Data.Sqlite;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Repair;

namespace Ugloo.Node.Repair;

/// <summary>
/// The public facts of every segment this node has held a fragment of (<see cref="SegmentDescriptor"/>), in
/// <c>segments.db</c> (SQLite, mode 0600) in the first data directory: what repair and rebalancing work from.
/// Nothing secret is in it (no keys, no object names). One connection behind a lock: records are small and
/// written once per stored fragment.
/// </summary>
/// <remarks>
/// Schema (user_version 1): <c>segment(key BLOB PRIMARY KEY, k, m, len, ids BLOB)</c>, ids the n fragment ids
/// concatenated in index order. WAL with synchronous=NORMAL: a record lost in a power cut is also held by the
/// segment's other holders, which repair the segment just the same.
/// </remarks>
internal sealed class SegmentRecords : IDisposable
{
    public const string FileName = "segments.db";
    private const int SchemaVersion = 1;

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    // Put runs once per stored fragment; the statement is compiled once here instead of on every call (SQLite's
    // parser and code generator showed in perf on a node's store path).
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _key;
    private readonly SqliteParameter _k;
    private readonly SqliteParameter _m;
    private readonly SqliteParameter _length;
    private readonly SqliteParameter _ids;

    private SegmentRecords(SqliteConnection connection)
    {
        _connection = connection;
        _insert = connection.CreateCommand();
        _insert.CommandText = "INSERT OR IGNORE INTO segment(key, k, m, len, ids) VALUES ($key, $k, $m, $len, $ids)";
        _key = _insert.Parameters.Add("$key", SqliteType.Blob);
        _k = _insert.Parameters.Add("$k", SqliteType.Integer);
        _m = _insert.Parameters.Add("$m", SqliteType.Integer);
        _length = _insert.Parameters.Add("$len", SqliteType.Integer);
        _ids = _insert.Parameters.Add("$ids", SqliteType.Blob);
        _insert.Prepare();
    }

    public static SegmentRecords Open(string dataDirectory)
    {
        string file = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(file))
        {
            // Owner-only from the first byte; SQLite gives its -wal and -shm files the same mode.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            new FileStream(file, options).Dispose();
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
            command.ExecuteNonQuery();
            command.CommandText = "PRAGMA user_version;";
            long version = (long)(command.ExecuteScalar() ?? 0L);
            if (version > SchemaVersion)
            {
                throw new InvalidDataException($"{file} was written by a newer ugloo-node (schema {version}; this one knows {SchemaVersion}).");
            }

            command.CommandText = """
                CREATE TABLE IF NOT EXISTS segment(key BLOB PRIMARY KEY, k INTEGER NOT NULL, m INTEGER NOT NULL, len INTEGER NOT NULL, ids BLOB NOT NULL) WITHOUT ROWID;
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
            return new SegmentRecords(connection);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new IOException($"cannot open the segment records {file}: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Records a segment; a record already present is kept (segments are immutable).</summary>
    public void Put(SegmentDescriptor segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        lock (_gate)
        {
            _key.Value = segment.Key;
            _k.Value = segment.DataFragments;
            _m.Value = segment.ParityFragments;
            _length.Value = segment.FragmentLength;
            _ids.Value = segment.JoinIds();
            _insert.ExecuteNonQuery();
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                using SqliteCommand command = _connection.CreateCommand();
                command.CommandText = "SELECT count(*) FROM segment";
                return (int)(long)(command.ExecuteScalar() ?? 0L);
            }
        }
    }

    /// <summary>Every record, in key order. A record that does not parse (a damaged file) is skipped.</summary>
    public IReadOnlyList<SegmentDescriptor> GetAll()
    {
        var all = new List<SegmentDescriptor>();
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "SELECT key, k, m, len, ids FROM segment ORDER BY key";
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                byte[] key = (byte[])reader[0];
                int k = reader.GetInt32(1);
                int m = reader.GetInt32(2);
                long length = reader.GetInt64(3);
                byte[] ids = (byte[])reader[4];
                if (key.Length != SegmentDescriptor.KeySize || k < 1 || m < 0 || k + m > Engine.Codec.ReedSolomon.MaxFragments || length < 0 || ids.Length != (k + m) * FragmentId.Size)
                {
                    continue;
                }

                var fragmentIds = new FragmentId[k + m];
                for (int i = 0; i < fragmentIds.Length; i++)
                {
                    fragmentIds[i] = new FragmentId(ids.AsSpan(i * FragmentId.Size, FragmentId.Size));
                }

                all.Add(new SegmentDescriptor(key, k, m, length, fragmentIds));
            }
        }

        return all;
    }

    /// <summary>
    /// Forgets the segments for which <paramref name="unheld"/> is still true (none of whose fragments this node
    /// holds any more). The test runs under the same lock as <see cref="Put"/>: a store puts its record only
    /// after the fragment is in the store, so a fragment that arrives meanwhile either fails the test here or
    /// puts its record back after the delete; a record is never lost for a fragment that stays.
    /// </summary>
    public void Remove(IEnumerable<SegmentDescriptor> segments, Func<SegmentDescriptor, bool> unheld)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(unheld);
        lock (_gate)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            using SqliteCommand command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM segment WHERE key = $key";
            SqliteParameter parameter = command.Parameters.Add("$key", SqliteType.Blob);
            foreach (SegmentDescriptor segment in segments)
            {
                if (!unheld(segment))
                {
                    continue;
                }

                parameter.Value = segment.Key;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _insert.Dispose();
            _connection.Dispose();
        }
    }
}
