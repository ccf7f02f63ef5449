using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog.Backup;

/// <summary>
/// A consistent copy of a live catalog, taken with SQLite's <c>VACUUM INTO</c> on a connection of its own:
/// it reads one transaction's view (writers in other processes go on, WAL keeps their changes apart) and
/// writes a compact standalone database with no WAL beside it, which is what a new machine installs.
/// </summary>
public static class CatalogSnapshot
{
    /// <summary>Writes a snapshot of <paramref name="catalogFile"/> to <paramref name="destination"/> (which must not exist).</summary>
    public static void Write(string catalogFile, string destination)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = catalogFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();

        // VACUUM INTO takes any expression, so the file name goes in as a parameter (no quoting to get wrong).
        command.CommandText = "VACUUM INTO $target";
        command.Parameters.AddWithValue("$target", destination);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// The catalog's change counter as another connection sees it (<c>PRAGMA data_version</c> changes whenever a
    /// different connection commits), read on <paramref name="watcher"/>, which the caller keeps open between calls.
    /// </summary>
    public static long DataVersion(SqliteConnection watcher)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        using SqliteCommand command = watcher.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Opens a read-only connection for <see cref="DataVersion"/>.</summary>
    public static SqliteConnection OpenWatcher(string catalogFile)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = catalogFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Checks that <paramref name="file"/> is an intact SQLite database (<c>PRAGMA quick_check</c>); throws
    /// <see cref="InvalidDataException"/> otherwise. A recovered snapshot is checked before it replaces anything.
    /// </summary>
    public static void Verify(string file)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        try
        {
            using var connection = new SqliteConnection(builder.ToString());
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check";
            string? result = command.ExecuteScalar() as string;
            if (result != "ok")
            {
                throw new InvalidDataException($"The catalog snapshot failed SQLite's check: {result}");
            }
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"The catalog snapshot is not a readable SQLite database: {e.Message}", e);
        }
    }
}
