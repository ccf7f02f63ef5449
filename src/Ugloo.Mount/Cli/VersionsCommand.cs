using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ugloo.Engine;
using Ugloo.Engine.Catalog;
using Ugloo.Mount.Volume;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Cli;

/// <summary>
/// <c>ugloo versions PATH [--json]</c>: every version of a file, oldest first, deletes included, with the name
/// it has in the mount's history tree. Reads only the catalog.
/// </summary>
internal static class VersionsCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "File in the volume (it may be deleted now)." };
        var json = new Option<bool>("--json") { Description = "One JSON array, for scripts." };
        Option<string> data = CommonOptions.Data();
        var command = new Command("versions", "List every version of a file: number, UTC time, size, and its name under /.ugloo/history in the mount.")
        {
            path, json, data,
        };
        command.SetAction(parse =>
        {
            string dir = CommonOptions.DataDirectory(parse, data);
            VolumeConfig config = VolumeAccess.LoadConfig(dir);
            string target = CommonOptions.VolumePath(parse.GetValue(path)!);
            using VolumeCatalog catalog = VolumeAccess.OpenCatalog(dir, config);
            IReadOnlyList<CatalogVersion> versions = catalog.GetVersions(target);
            if (versions.Count == 0)
            {
                throw new VolumeException(catalog.List(target).Count > 0
                    ? $"{target} is a directory: versions are kept per file (see /.ugloo/history{target}/ in the mount)."
                    : $"No such file in the volume, now or before: {target}");
            }

            int number = 0;
            var rows = versions.Select(v => new VersionRow(
                v.IsTombstone ? null : ++number,
                v.Id,
                v.Dated.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                v.IsTombstone ? "deleted" : v.IsSymlink ? "symlink" : "file",
                v.IsTombstone ? null : v.Size,
                v.IsTombstone ? null : VolumeFileSystem.VersionName(v))).ToList();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, VersionsJsonContext.Default.ListVersionRow));
                return 0;
            }

            Console.WriteLine($"{"#",4}  {"time (UTC)",-24}  {"size",12}  history name");
            foreach (VersionRow row in rows)
            {
                string n = row.Number?.ToString(CultureInfo.InvariantCulture) ?? "-";
                string size = row.Size is long s ? ByteSize.Format(s) : row.Kind;
                Console.WriteLine($"{n,4}  {row.Time,-24}  {size,12}  {row.HistoryName ?? "(deleted)"}{(row.Kind == "symlink" ? " (symlink)" : "")}");
            }

            return 0;
        });
        return command;
    }
}
