using System.CommandLine;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Cli;

/// <summary>Options every volume command takes. A new instance per command: each command owns its options.</summary>
internal static class CommonOptions
{
    public static Option<string> Data() => new("--data")
    {
        Description = "The volume's data directory (default: $UGLOO_DATA, else $XDG_DATA_HOME/ugloo, else ~/.local/share/ugloo).",
        HelpName = "DIR",
    };

    public static Option<string> PassphraseFile() => new("--passphrase-file")
    {
        Description = "File whose first line is the passphrase protecting volume.key.",
        HelpName = "FILE",
    };

    public static Option<bool> Verbose() => new("--verbose", "-v")
    {
        Description = "Log the swarm client's work on stderr.",
    };

    public static string DataDirectory(ParseResult parse, Option<string> data) => DataDirectoryLocator.Resolve(parse.GetValue(data));

    /// <summary>A volume path from the command line, normalized; a malformed one is a usage error.</summary>
    public static string VolumePath(string path)
    {
        try
        {
            return Ugloo.Engine.Catalog.CatalogPath.Normalize(path);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message, e);
        }
    }
}
