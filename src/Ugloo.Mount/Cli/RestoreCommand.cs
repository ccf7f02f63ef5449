using System.CommandLine;
using Ugloo.Engine.Catalog;
using Ugloo.Mount.Volume;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Cli;

/// <summary>
/// <c>ugloo restore PATH (--at TIME | --version N) [--to DEST]</c>: makes an old version the newest again, as a
/// new version (history only grows). Nothing is copied: the new version names the same stored object. For a
/// directory with <c>--at</c>, every file it held then is restored and files added since are left alone.
/// </summary>
internal static class RestoreCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "File or directory in the volume (it may be deleted now)." };
        var at = new Option<string?>("--at") { Description = "UTC time, e.g. 2026-11-26T01:49:05Z or 2026-11-26 (the state at that instant).", HelpName = "TIME" };
        var version = new Option<int?>("--version") { Description = "Version N of a file (1 is the oldest; see 'ugloo versions').", HelpName = "N" };
        var to = new Option<string?>("--to") { Description = "Restore under another path instead of PATH.", HelpName = "DEST" };
        Option<string> data = CommonOptions.Data();
        var command = new Command("restore", "Make an old version of a file (or a directory's files at a time) the newest again, without copying data.")
        {
            path, at, version, to, data,
        };
        command.SetAction(parse =>
        {
            string dir = CommonOptions.DataDirectory(parse, data);
            string source = CommonOptions.VolumePath(parse.GetValue(path)!);
            string target = parse.GetValue(to) is { } dest ? CommonOptions.VolumePath(dest) : source;
            string? atText = parse.GetValue(at);
            int? number = parse.GetValue(version);
            if ((atText is null) == (number is null))
            {
                throw new UsageException("Say which version: --at TIME or --version N (one of them).");
            }

            DateTimeOffset instant = default;
            if (atText is not null && !VolumeFileSystem.TryParseInstant(atText, out instant))
            {
                throw new UsageException($"'{atText}' is not a UTC time: use e.g. 2026-11-26T01:49:05Z, 2026-11-26T01:49 or 2026-11-26.");
            }

            VolumeConfig config = VolumeAccess.LoadConfig(dir);
            using VolumeCatalog catalog = VolumeAccess.OpenCatalog(dir, config);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            CatalogVersion? chosen = number is int n
                ? catalog.GetVersions(source).Where(v => !v.IsTombstone).ElementAtOrDefault(n - 1)
                    ?? throw new VolumeException($"{source} has no version {n}: 'ugloo versions {source}' lists them.")
                : catalog.GetLatestAt(source, instant);
            if (chosen is not null)
            {
                catalog.AddCopy(target, chosen, now);
                Console.WriteLine($"Restored {source} as it was at {chosen.Dated.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} ({chosen.Size} bytes) to {target}.");
                return 0;
            }

            if (catalog.GetDirectory(source, instant) is null)
            {
                throw new VolumeException($"{source} did not exist at {instant.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}.");
            }

            // A directory: every file below it as of then, under the same relative path below the target.
            int restored = 0;
            var pending = new Stack<string>([source]);
            while (pending.Count > 0)
            {
                string current = pending.Pop();
                foreach (CatalogEntry entry in catalog.List(current, instant))
                {
                    if (entry.IsDirectory)
                    {
                        pending.Push(entry.Path);
                    }
                    else if (catalog.GetLatestAt(entry.Path, instant) is { } then)
                    {
                        string relative = source == "/" ? entry.Path : entry.Path[source.Length..];
                        catalog.AddCopy(CatalogPath.Normalize(target + relative), then, now);
                        restored++;
                    }
                }
            }

            Console.WriteLine($"Restored {restored} files of {source} as they were at {instant.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} to {target}.");
            return 0;
        });
        return command;
    }
}
