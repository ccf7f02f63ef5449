namespace Ugloo.Node.Hosting;

/// <summary>
/// Turns <c>ugloo-node --data A --data B --listen H:P --join X --join Y</c> into configuration keys.
/// The standard command-line provider cannot repeat a key, and repeated <c>--data</c>/<c>--join</c> are
/// the natural way to give several disks or seeds.
/// </summary>
internal static class CommandLineMap
{
    private static readonly Dictionary<string, string> s_single = new(StringComparer.Ordinal)
    {
        ["--listen"] = "Listen",
        ["--advertise"] = "Advertise",
        ["--capacity"] = "Capacity",
        ["--cluster-key"] = "ClusterKeyFile",
        ["--site"] = "Site",
        ["--max-connections"] = "MaxConnections",
        ["--handshake-timeout"] = "HandshakeTimeout",
        ["--idle-timeout"] = "IdleTimeout",
        ["--gossip-interval"] = "GossipInterval",
        ["--down-after"] = "DownAfter",
        ["--scrub-interval"] = "Scrub:Interval",
        ["--scrub-rate"] = "Scrub:Rate",
        ["--repair-interval"] = "Repair:Interval",
        ["--lost-after"] = "Repair:LostAfter",
        ["--repair-rate"] = "Repair:Rate",
    };

    private static readonly Dictionary<string, string> s_repeated = new(StringComparer.Ordinal)
    {
        ["--data"] = "DataDirectories",
        ["--join"] = "Join",
    };

    public static (Dictionary<string, string?> Settings, string? ConfigFile) Parse(IReadOnlyList<string> args)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        string? configFile = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? inline = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new OptionsException($"{arg} needs a value.");
                }

                return args[++i];
            }

            if (arg == "--config")
            {
                configFile = Value();
            }
            else if (s_single.TryGetValue(arg, out string? key))
            {
                settings[$"{NodeOptions.Section}:{key}"] = Value();
            }
            else if (s_repeated.TryGetValue(arg, out key))
            {
                int index = counts.GetValueOrDefault(key);
                counts[key] = index + 1;
                settings[$"{NodeOptions.Section}:{key}:{index}"] = Value();
            }
            else
            {
                throw new OptionsException($"unknown option '{arg}'; see ugloo-node --help.");
            }
        }

        return (settings, configFile);
    }
}
