using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog;

/// <summary>
/// Per-version S3 metadata and the listings the S3 gateway needs. The s3_metadata table is keyed by the
/// version id and lives beside the versions table (never changing it), created on first use with
/// CREATE TABLE IF NOT EXISTS, so catalogs of any schema gain it without a migration step.
/// </summary>
public sealed partial class VolumeCatalog
{
    private bool _objectMetadataReady;

    /// <summary>Adds a version and its S3 metadata in one transaction: a reader never sees one without the other.</summary>
    public long AddVersion(string path, long size, byte[] manifest, byte[] wrappedKey, DateTimeOffset created, ObjectMetadata metadata, long? packOffset = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        EnsureObjectMetadataTable();
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(wrappedKey);
        using SqliteTransaction transaction = _connection.BeginTransaction();
        using SqliteCommand command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            "INSERT INTO versions (path, created_ms, size, manifest, wrapped_key, pack_offset) VALUES ($path, $created, $size, $manifest, $key, $pack);" +
            "INSERT OR REPLACE INTO s3_metadata (version_id, etag, content_type, headers, user_metadata) " +
            "  VALUES (last_insert_rowid(), $etag, $type, $headers, $user);" +
            "SELECT version_id FROM s3_metadata WHERE rowid = last_insert_rowid();";
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        command.Parameters.AddWithValue("$created", created.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$size", size);
        command.Parameters.AddWithValue("$manifest", manifest);
        command.Parameters.AddWithValue("$key", wrappedKey);
        command.Parameters.AddWithValue("$pack", (object?)packOffset ?? DBNull.Value);
        command.Parameters.AddWithValue("$etag", metadata.ETag);
        command.Parameters.AddWithValue("$type", (object?)metadata.ContentType ?? DBNull.Value);
        command.Parameters.AddWithValue("$headers", EncodePairs(metadata.Headers));
        command.Parameters.AddWithValue("$user", EncodePairs(metadata.UserMetadata));
        long id = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        transaction.Commit();
        return id;
    }

    /// <summary>The S3 metadata of a version, or null when it was written by another front-end (the mount, ugloo put).</summary>
    public ObjectMetadata? GetObjectMetadata(long versionId)
    {
        EnsureObjectMetadataTable();
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT etag, content_type, headers, user_metadata FROM s3_metadata WHERE version_id = $id";
        command.Parameters.AddWithValue("$id", versionId);
        using SqliteDataReader reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new ObjectMetadata(
            reader.GetString(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            DecodePairs(reader.GetString(2)),
            DecodePairs(reader.GetString(3)));
    }

    /// <summary>
    /// Up to <paramref name="limit"/> live files (newest version not a tombstone) whose path starts with
    /// <paramref name="prefix"/> and sorts after <paramref name="after"/>, in path order (SQLite compares
    /// text as UTF-8 bytes: S3's key order).
    /// </summary>
    public IReadOnlyList<CatalogVersion> ListLatest(string prefix, string after, int limit)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText =
            $"SELECT {VersionColumns} FROM versions v " +
            "JOIN (SELECT path, MAX(id) AS id FROM versions WHERE path >= $lo AND path < $hi AND path > $after GROUP BY path) newest " +
            "ON newest.id = v.id WHERE v.manifest IS NOT NULL ORDER BY v.path LIMIT $limit";
        command.Parameters.AddWithValue("$lo", prefix);
        command.Parameters.AddWithValue("$hi", prefix + "\uffff");
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$limit", limit);
        return ReadVersions(command);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> versions (tombstones included) of paths starting with
    /// <paramref name="prefix"/>, ordered by path then newest first, that come after the version
    /// (<paramref name="afterPath"/>, <paramref name="afterId"/>) in that order. <paramref name="afterId"/> =
    /// <see cref="long.MaxValue"/> includes every version of <paramref name="afterPath"/>; 0 skips them all.
    /// </summary>
    public IReadOnlyList<CatalogVersion> ListAllVersions(string prefix, string afterPath, long afterId, int limit)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        EnsureObjectMetadataTable();
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText =
            $"SELECT {VersionColumns} FROM versions v " +
            "WHERE path >= $lo AND path < $hi AND (path > $after OR (path = $after AND id < $afterId)) AND target IS NULL " +
            "AND id NOT IN (SELECT version_id FROM s3_hidden_versions) ORDER BY path, id DESC LIMIT $limit";
        command.Parameters.AddWithValue("$lo", prefix);
        command.Parameters.AddWithValue("$hi", prefix + "\uffff");
        command.Parameters.AddWithValue("$after", afterPath);
        command.Parameters.AddWithValue("$afterId", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        return ReadVersions(command);
    }

    /// <summary>
    /// Hides a version from S3 (a DeleteObject with its version id): S3 listings and reads by id no longer
    /// show it, but the version itself stays in the catalog (versions are immutable until a retention rule
    /// removes them; the mount never shows old versions anyway).
    /// </summary>
    public void HideVersion(long versionId)
    {
        EnsureObjectMetadataTable();
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO s3_hidden_versions (version_id) VALUES ($id)";
        command.Parameters.AddWithValue("$id", versionId);
        command.ExecuteNonQuery();
    }

    /// <summary>The ids of <paramref name="path"/>'s hidden versions.</summary>
    public IReadOnlySet<long> GetHiddenVersions(string path)
    {
        EnsureObjectMetadataTable();
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT h.version_id FROM s3_hidden_versions h JOIN versions v ON v.id = h.version_id WHERE v.path = $path";
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        var ids = new HashSet<long>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>Explicit directories whose path starts with <paramref name="prefix"/>, in path order.</summary>
    public IReadOnlyList<string> ListExplicitDirectories(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT path FROM directories WHERE path >= $lo AND path < $hi ORDER BY path";
        command.Parameters.AddWithValue("$lo", prefix);
        command.Parameters.AddWithValue("$hi", prefix + "\uffff");
        var paths = new List<string>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            paths.Add(reader.GetString(0));
        }

        return paths;
    }

    private void EnsureObjectMetadataTable()
    {
        if (_objectMetadataReady)
        {
            return;
        }

        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText =
            "CREATE TABLE IF NOT EXISTS s3_metadata (" +
            "  version_id INTEGER PRIMARY KEY," + // versions.id
            "  etag TEXT NOT NULL," +             // quoted, as S3 sends it
            "  content_type TEXT," +
            "  headers TEXT NOT NULL," +          // JSON array of [name, value] pairs
            "  user_metadata TEXT NOT NULL);" +   // JSON array of [name, value] pairs, names without x-amz-meta-
            "CREATE TABLE IF NOT EXISTS s3_hidden_versions (version_id INTEGER PRIMARY KEY);";
        command.ExecuteNonQuery();
        _objectMetadataReady = true;
    }

    private static string EncodePairs(IReadOnlyList<KeyValuePair<string, string>> pairs) =>
        JsonSerializer.Serialize(pairs.Select(p => new[] { p.Key, p.Value }).ToArray(), CatalogJsonContext.Default.StringArrayArray);

    private static KeyValuePair<string, string>[] DecodePairs(string json) =>
        [.. (JsonSerializer.Deserialize(json, CatalogJsonContext.Default.StringArrayArray) ?? []).Select(p => new KeyValuePair<string, string>(p[0], p[1]))];
}
