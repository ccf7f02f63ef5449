using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog;

/// <summary>The volume as it was: a path's version at a past instant, and single versions by id.</summary>
public sealed partial class VolumeCatalog
{
    /// <summary>The version of <paramref name="path"/> that was newest at <paramref name="at"/>; null if it did not exist then.</summary>
    public CatalogVersion? GetLatestAt(string path, DateTimeOffset at)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = $"SELECT {VersionColumns} FROM versions v WHERE v.path = $path AND v.created_ms <= $at ORDER BY v.id DESC LIMIT 1";
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
}
