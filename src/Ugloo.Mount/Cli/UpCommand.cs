using System.CommandLine;
using Ugloo.Engine;
using Ugloo.Mount.LocalCluster;

namespace Ugloo.Mount.Cli;

/// <summary>
/// <c>ugloo up</c>: the README's run command. Creates the volume on first run (keys, catalog, node
/// directories, ports), starts its local nodes, prints what the user has, and runs until Ctrl-C or
/// SIGTERM, which unmount the volume (mounted at /mnt/ugloo as root, ~/ugloo otherwise, or <c>--mount</c>),
/// stop the S3 gateway and stop every node cleanly.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        Option<string> data = CommonOptions.Data();
        var nodes = new Option<int?>("--nodes") { Description = "Nodes to run (default 6 for a new volume; more than the volume has adds nodes).", HelpName = "N" };
        var basePort = new Option<int?>("--base-port") { Description = "Give new nodes ports P, P+1, … on 127.0.0.1 (default: free ports, kept in volume.json).", HelpName = "P" };
        var code = new Option<string>("--code") { Description = "New volume only: K,M data and parity fragments per segment (default 4,2).", HelpName = "K,M" };
        var segment = new Option<string>("--segment-size") { Description = "New volume only: segment size (default 8M).", HelpName = "SIZE" };
        var required = new Option<int?>("--required-losses") { Description = "New volume only: node losses every write must survive (default: all the code allows over the nodes; 2 for 6 nodes and 4,2).", HelpName = "R" };
        var capacity = new Option<string>("--node-capacity") { Description = "New nodes only: bytes each node offers, e.g. 10G (default: the disk's free space).", HelpName = "SIZE" };
        Option<string> passphrase = CommonOptions.PassphraseFile();
        passphrase.Description = "New volume only: protect volume.key with the passphrase in FILE's first line.";
        var mount = new Option<string>("--mount") { Description = "Mount the volume there (default /mnt/ugloo as root, else ~/ugloo); Ctrl-C unmounts.", HelpName = "PATH" };
        Option<string> cacheSize = MountCommand.CacheSizeOption();
        var noMount = new Option<bool>("--no-mount") { Description = "Run the cluster without mounting the volume." };
        var s3 = new Option<string>("--s3") { Description = "S3 gateway address (default 127.0.0.1:9000, or the next free port).", HelpName = "HOST:PORT" };
        var noS3 = new Option<bool>("--no-s3") { Description = "Run without the S3 gateway." };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait for every node to answer (default 60s).", DefaultValueFactory = _ => "60s", HelpName = "DURATION" };

        var command = new Command("up", "Create (first run) and start the volume's local cluster; Ctrl-C stops it.")
        {
            data, nodes, basePort, code, segment, required, capacity, passphrase, mount, cacheSize, noMount, s3, noS3, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new UpOptions
            {
                DataDirectory = CommonOptions.DataDirectory(parse, data),
                Nodes = parse.GetValue(nodes),
                BasePort = parse.GetValue(basePort) is int p && p is < 1 or > 65535 ? throw new UsageException("--base-port must be 1..65535.") : parse.GetValue(basePort),
                Code = parse.GetValue(code) is string c ? BenchCommand.ParseCode(c) : null,
                SegmentSize = parse.GetValue(segment) is string s ? ParseSegmentSize(s) : null,
                RequiredNodeLosses = parse.GetValue(required) is int r && r < 0 ? throw new UsageException("--required-losses cannot be negative.") : parse.GetValue(required),
                NodeCapacity = parse.GetValue(capacity) is string cap && (!ByteSize.TryParse(cap, out long bytes) || bytes <= 0)
                    ? throw new UsageException($"--node-capacity '{cap}' is not a size such as 10G.")
                    : parse.GetValue(capacity),
                PassphraseFile = parse.GetValue(passphrase),
                MountPath = parse.GetValue(mount),
                NoMount = parse.GetValue(noMount),
                Cache = MountCommand.CacheOptions(parse.GetValue(cacheSize)),
                S3Listen = parse.GetValue(s3) is string listen && parse.GetValue(noS3) ? throw new UsageException("--s3 and --no-s3 contradict each other.") : parse.GetValue(s3),
                NoS3 = parse.GetValue(noS3),
                ReadyTimeout = ParseDuration(parse.GetValue(timeout)!),
            };
            if (options.MountPath is not null && options.NoMount)
            {
                throw new UsageException("--mount and --no-mount contradict each other.");
            }

            return await new ClusterRunner(options, Console.Out).RunAsync(cancellationToken);
        });
        return command;
    }

    private static int ParseSegmentSize(string value)
    {
        if (!ByteSize.TryParse(value, out long bytes) || bytes <= 0 || bytes > int.MaxValue)
        {
            throw new UsageException($"--segment-size '{value}' is not a size such as 64K or 4M.");
        }

        return (int)bytes;
    }

    /// <summary>"90", "90s", "2m".</summary>
    internal static TimeSpan ParseDuration(string value)
    {
        string v = value.Trim();
        double factor = 1;
        if (v.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            factor = 0.001;
            v = v[..^2];
        }
        else if (v.EndsWith('s') || v.EndsWith('S'))
        {
            v = v[..^1];
        }
        else if (v.EndsWith('m') || v.EndsWith('M'))
        {
            factor = 60;
            v = v[..^1];
        }

        if (!double.TryParse(v, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out double number) || number <= 0)
        {
            throw new UsageException($"'{value}' is not a duration such as 60s or 2m.");
        }

        return TimeSpan.FromSeconds(number * factor);
    }
}
