using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog;

/// <summary>
/// Users' extended attributes (<c>user.*</c>) of live files and directories. Like mode and owner they
/// belong to the name as it is now, not to a version: a rename moves them, an unlink or rmdir drops them.
/// </summary>
public sealed partial class VolumeCatalog
{
    public byte[]? GetXattr(string path, string name)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT value FROM xattrs WHERE path = $path AND name = $name";
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteScalar() as byte[];
    }

    public IReadOnlyList<string> ListXattrs(string path)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT name FROM xattrs WHERE path = $path ORDER BY name";
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        var names = new List<string>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public void SetXattr(string path, string name, byte[] value)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO xattrs (path, name, value) VALUES ($path, $name, $value)";
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    /// <summary>Removes one attribute (<paramref name="name"/>) or all of the path's (null); true if any went.</summary>
    public bool RemoveXattrs(string path, string? name = null)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = name is null
            ? "DELETE FROM xattrs WHERE path = $path"
            : "DELETE FROM xattrs WHERE path = $path AND name = $name";
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        command.Parameters.AddWithValue("$name", (object?)name ?? DBNull.Value);
        return command.ExecuteNonQuery() > 0;
    }

    /// <summary>Moves a file's attributes to its new name (replacing any the target had).</summary>
    public void MoveXattrs(string from, string to)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "DELETE FROM xattrs WHERE path = $to; UPDATE xattrs SET path = $to WHERE path = $from";
        command.Parameters.AddWithValue("$from", CatalogPath.Normalize(from));
        command.Parameters.AddWithValue("$to", CatalogPath.Normalize(to));
        command.ExecuteNonQuery();
    }

    // Created on every open (IF NOT EXISTS is cheap), so schema-3 catalogs made before the table existed get it.
    private void EnsureXattrs()
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS xattrs (path TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (path, name))";
        command.ExecuteNonQuery();
    }
}
