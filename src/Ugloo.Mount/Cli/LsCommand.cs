using System.CommandLine;
using System.Globalization;
using Ugloo.Engine;
using Ugloo.Engine.Catalog;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Cli;

/// <summary><c>ugloo ls [PATH]</c>: files and directories with size, last modification and version count. Reads only the catalog.</summary>
internal static class LsCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "Directory or file in the volume (default /).", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "/" };
        var bytes = new Option<bool>("--bytes", "-b") { Description = "Sizes in bytes instead of KiB/MiB/GiB." };
        Option<string> data = CommonOptions.Data();
        var command = new Command("ls", "List files with their size, modification time and number of versions.")
        {
            path, bytes, data,
        };
        command.SetAction(parse =>
        {
            string dir = CommonOptions.DataDirectory(parse, data);
            VolumeConfig config = VolumeAccess.LoadConfig(dir);
            string target;
            try
            {
                target = CatalogPath.Normalize(parse.GetValue(path)!);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message, e);
            }

            using VolumeCatalog catalog = VolumeAccess.OpenCatalog(dir, config);
            bool exact = parse.GetValue(bytes);
            IReadOnlyList<CatalogEntry> entries;
            if (catalog.GetLatest(target) is CatalogVersion file)
            {
                int versions = catalog.GetVersions(target).Count(v => !v.IsTombstone);
                entries = [new CatalogEntry(CatalogPath.Name(target), target, false, file.Size, file.Created, versions)];
            }
            else
            {
                entries = catalog.List(target);
                if (entries.Count == 0 && target != "/")
                {
                    throw new VolumeException($"No such file or directory in the volume: {target}");
                }
            }

            foreach (CatalogEntry entry in entries)
            {
                string size = entry.IsDirectory ? "-" : exact ? entry.Size.ToString(CultureInfo.InvariantCulture) : ByteSize.Format(entry.Size);
                string versions = entry.IsDirectory ? "-" : entry.VersionCount.ToString(CultureInfo.InvariantCulture);
                string modified = entry.Modified.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                Console.WriteLine($"{size,12}  {modified}  {versions,4}  {entry.Name}{(entry.IsDirectory ? "/" : "")}");
            }

            return 0;
        });
        return command;
    }
}
