using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog;

/// <summary>The volume as it was: a path's version at a past instant, and single versions by id.</summary>
public sealed partial class VolumeCatalog
{
    /// <summary>The version of <paramref name="path"/> that was newest at <paramref name="at"/>; null if it did not exist then.</summary>
    public CatalogVersion? GetLatestAt(string path, DateTimeOffset at)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = $"SELECT {VersionColumns} FROM versions v WHERE v.path = $path AND {DatedSql} <= $at ORDER BY v.id DESC LIMIT 1";
        command.Parameters.AddWithValue("$path", CatalogPath.Normalize(path));
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        CatalogVersion? latest = ReadVersions(command).FirstOrDefault();
        return latest is { IsTombstone: false } ? latest : null;
    }

    /// <summary>One version by its id (tombstones included); null if there is none.</summary>
    public CatalogVersion? GetVersion(long id)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = $"SELECT {VersionColumns} FROM versions v WHERE v.id = $id";
        command.Parameters.AddWithValue("$id", id);
        return ReadVersions(command).FirstOrDefault();
    }

    /// <summary>
    /// Every name that ever existed directly in <paramref name="directory"/>, deleted ones included, and
    /// whether something ever existed below it (a directory) or only versions of it (a file).
    /// </summary>
    public IReadOnlyList<(string Name, bool IsDirectory)> ListEver(string directory)
    {
        string dir = CatalogPath.Normalize(directory);
        string prefix = dir == "/" ? "/" : dir + "/";
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText =
            "SELECT DISTINCT path FROM versions WHERE path >= $lo AND path < $hi " +
            "UNION SELECT path || '/' FROM directories WHERE path >= $lo AND path < $hi " +
            "UNION SELECT path || '/' FROM removed_directories WHERE path >= $lo AND path < $hi";
        command.Parameters.AddWithValue("$lo", prefix);
        command.Parameters.AddWithValue("$hi", prefix + "\uffff");
        var names = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            string rest = reader.GetString(0)[prefix.Length..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            string name = slash < 0 ? rest : rest[..slash];
            if (name.Length > 0)
            {
                names[name] = (names.TryGetValue(name, out bool seen) && seen) || slash >= 0;
            }
        }

        return [.. names.Select(kv => (kv.Key, kv.Value))];
    }
}
