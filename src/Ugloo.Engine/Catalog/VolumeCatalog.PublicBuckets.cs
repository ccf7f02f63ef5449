using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog;

/// <summary>
/// Which S3 buckets anonymous clients may read. The s3_public_buckets table holds one row per public bucket
/// (its name, as S3 spells it); created on first use with CREATE TABLE IF NOT EXISTS like s3_metadata, so
/// catalogs of any schema gain it without a migration step. A bucket absent from it is private.
/// </summary>
public sealed partial class VolumeCatalog
{
    private bool _publicBucketsReady;

    /// <summary>Whether anonymous clients may read <paramref name="bucket"/>.</summary>
    public bool IsPublicBucket(string bucket)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        EnsurePublicBucketsTable();
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM s3_public_buckets WHERE bucket = $bucket";
        command.Parameters.AddWithValue("$bucket", bucket);
        return command.ExecuteScalar() is not null;
    }

    /// <summary>Makes <paramref name="bucket"/> public or private; returns whether that changed anything.</summary>
    public bool SetPublicBucket(string bucket, bool isPublic)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        EnsurePublicBucketsTable();
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = isPublic
            ? "INSERT OR IGNORE INTO s3_public_buckets (bucket) VALUES ($bucket)"
            : "DELETE FROM s3_public_buckets WHERE bucket = $bucket";
        command.Parameters.AddWithValue("$bucket", bucket);
        return command.ExecuteNonQuery() > 0;
    }

    /// <summary>The public buckets, in name order.</summary>
    public IReadOnlyList<string> ListPublicBuckets()
    {
        EnsurePublicBucketsTable();
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT bucket FROM s3_public_buckets ORDER BY bucket";
        using SqliteDataReader reader = command.ExecuteReader();
        var buckets = new List<string>();
        while (reader.Read())
        {
            buckets.Add(reader.GetString(0));
        }

        return buckets;
    }

    private void EnsurePublicBucketsTable()
    {
        if (_publicBucketsReady)
        {
            return;
        }

        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS s3_public_buckets (bucket TEXT PRIMARY KEY)";
        command.ExecuteNonQuery();
        _publicBucketsReady = true;
    }
}
