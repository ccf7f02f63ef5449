using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog;

/// <summary>Mode, owner and times of files and explicit directories.</summary>
public sealed partial class VolumeCatalog
{
    /// <summary>
    /// Changes the attributes recorded with version <paramref name="versionId"/>. Content never changes in
    /// place; attributes do, on the newest version only, so that chmod, chown and touch after a copy (what
    /// <c>cp -a</c> and <c>rsync -a</c> do to every file) do not each add a version.
    /// </summary>
    public void SetAttributes(long versionId, CatalogAttributes attributes)
    {
        Statement(
            "UPDATE versions SET mode = $mode, uid = $uid, gid = $gid, mtime_ns = $mtime WHERE id = $id AND manifest IS NOT NULL",
            null,
            ("$id", versionId),
            ("$mode", attributes.Mode),
            ("$uid", attributes.Uid),
            ("$gid", attributes.Gid),
            ("$mtime", attributes.ModifiedNs)).ExecuteNonQuery();
    }

    /// <summary>Records <paramref name="path"/> as an explicit directory with the given attributes (created or updated).</summary>
    public void SetDirectoryAttributes(string path, CatalogAttributes attributes)
    {
        string dir = CatalogPath.Normalize(path);
        if (dir == "/")
        {
            return;
        }

        Statement(
            "INSERT INTO directories (path, created_ms, mode, uid, gid, mtime_ns) VALUES ($path, $created, $mode, $uid, $gid, $mtime) " +
            "ON CONFLICT (path) DO UPDATE SET mode = $mode, uid = $uid, gid = $gid, mtime_ns = $mtime",
            null,
            ("$path", dir),
            ("$created", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
            ("$mode", attributes.Mode),
            ("$uid", attributes.Uid),
            ("$gid", attributes.Gid),
            ("$mtime", attributes.ModifiedNs)).ExecuteNonQuery();
    }

    /// <summary>The attributes of an explicit directory, or null when it has none recorded (or is only implied).</summary>
    public CatalogAttributes? GetDirectoryAttributes(string path)
    {
        using SqliteDataReader reader = Statement(
            "SELECT mode, uid, gid, mtime_ns FROM directories WHERE path = $path AND mode IS NOT NULL", null, ("$path", CatalogPath.Normalize(path))).ExecuteReader();
        return reader.Read()
            ? new CatalogAttributes((uint)reader.GetInt64(0), (uint)reader.GetInt64(1), (uint)reader.GetInt64(2), reader.GetInt64(3))
            : null;
    }

    /// <summary>
    /// An explicit directory's row as it is now: when it was made (what <see cref="GetDirectory"/> answers for
    /// it) and its attributes (what <see cref="GetDirectoryAttributes"/> answers), in one query; null for a
    /// directory with no row (implied by the files below it, or gone).
    /// </summary>
    /// <remarks>The kernel asks for a directory's attributes after every create and unlink in it.</remarks>
    public (DateTimeOffset Created, CatalogAttributes? Attributes)? GetLiveDirectory(string path)
    {
        using SqliteDataReader reader = Statement(
            "SELECT created_ms, mode, uid, gid, mtime_ns FROM directories WHERE path = $path", null, ("$path", CatalogPath.Normalize(path))).ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        CatalogAttributes? attributes = reader.IsDBNull(1)
            ? null
            : new CatalogAttributes((uint)reader.GetInt64(1), (uint)reader.GetInt64(2), (uint)reader.GetInt64(3), reader.GetInt64(4));
        return (DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), attributes);
    }

    private static void Bind(SqliteCommand command, CatalogAttributes attributes)
    {
        command.Parameters.AddWithValue("$mode", attributes.Mode);
        command.Parameters.AddWithValue("$uid", attributes.Uid);
        command.Parameters.AddWithValue("$gid", attributes.Gid);
        command.Parameters.AddWithValue("$mtime", attributes.ModifiedNs);
    }
}
