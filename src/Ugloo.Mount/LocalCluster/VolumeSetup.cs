using System.Globalization;
using Ugloo.Engine;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Cluster;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.Cli;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.LocalCluster;

/// <summary>
/// Creates the volume on the first <c>ugloo up</c> (keys, catalog, node directories, ports, volume.json)
/// and reconciles later runs' options with what the volume already is.
/// </summary>
internal static class VolumeSetup
{
    /// <summary>Loads the volume in the data directory, creating it when there is none. Returns it and whether it is new.</summary>
    public static (VolumeConfig Config, bool Created) LoadOrCreate(UpOptions options)
    {
        string dir = options.DataDirectory;
        CreatePrivateDirectory(dir);
        VolumeConfig? existing = VolumeConfig.TryLoad(dir);
        if (existing is null)
        {
            return (Create(options), true);
        }

        Reconcile(existing, options);
        return (existing, false);
    }

    /// <summary>
    /// The data directory holds the keys and the catalog (file names): owner-only from the start on Unix.
    /// An existing directory keeps the mode its owner gave it.
    /// </summary>
    public static void CreatePrivateDirectory(string dir)
    {
        if (Directory.Exists(dir))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dir);
        }
        else
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static VolumeConfig Create(UpOptions options)
    {
        string dir = options.DataDirectory;
        int nodes = options.Nodes ?? UpOptions.DefaultNodes;
        (int k, int m) = options.Code ?? (UpOptions.DefaultK, UpOptions.DefaultM);
        int segmentSize = options.SegmentSize ?? ObjectPipelineOptions.DefaultSegmentSize;
        if (nodes < 1)
        {
            throw new UsageException("--nodes must be at least 1.");
        }

        if (segmentSize is < ObjectManifest.MinSegmentSize or > ObjectManifest.MaxSegmentSize)
        {
            throw new UsageException($"--segment-size must be between {ByteSize.Format(ObjectManifest.MinSegmentSize)} and {ByteSize.Format(ObjectManifest.MaxSegmentSize)}.");
        }

        // What the code can survive when its n fragments spread evenly over the nodes (no node holds more
        // than ceil(n/N)); asking for more would refuse every write.
        int possible = Math.Max(0, SegmentDurability.ToleratedNodeLosses(k, m, nodes));
        int required = options.RequiredNodeLosses ?? possible;
        if (required > possible)
        {
            throw new UsageException(
                $"--required-losses {required} is more than RS({k},{m}) on {nodes} node(s) can survive ({possible}); add nodes or parity, or require fewer losses.");
        }

        var config = new VolumeConfig
        {
            K = k,
            M = m,
            SegmentSize = segmentSize,
            RequiredNodeLosses = required,
            Created = DateTimeOffset.UtcNow,
        };
        AddNodes(config, nodes, options);

        // Keys first, volume.json last: a run interrupted in between leaves keys that the next run reuses
        // (a key file is never overwritten), never a volume file pointing at missing keys.
        string clusterKey = VolumeConfig.Resolve(dir, config.ClusterKeyFile);
        if (!File.Exists(clusterKey))
        {
            ClusterKey.Create(clusterKey);
        }

        string volumeKey = VolumeConfig.Resolve(dir, config.VolumeKeyFile);
        if (!File.Exists(volumeKey))
        {
            using VolumeKey key = VolumeKey.Generate();
            if (options.PassphraseFile is null)
            {
                VolumeKeyFile.Save(volumeKey, key);
            }
            else
            {
                VolumeKeyFile.SaveWithPassphrase(volumeKey, key, VolumeAccess.ReadPassphrase(options.PassphraseFile));
            }
        }

        using (VolumeCatalog.Open(VolumeConfig.Resolve(dir, config.CatalogFile)))
        {
            // Opening creates the schema.
        }

        config.Save(dir);
        return config;
    }

    private static void Reconcile(VolumeConfig config, UpOptions options)
    {
        if (options.Code is (int k, int m) && (k != config.K || m != config.M))
        {
            throw new UsageException($"The volume in {options.DataDirectory} is {config.CodeName}; --code applies only when a volume is created.");
        }

        if (options.SegmentSize is int size && size != config.SegmentSize)
        {
            throw new UsageException($"The volume in {options.DataDirectory} uses {ByteSize.Format(config.SegmentSize)} segments; --segment-size applies only when a volume is created.");
        }

        if (options.RequiredNodeLosses is int required && required != config.RequiredNodeLosses)
        {
            throw new UsageException($"The volume in {options.DataDirectory} requires {config.RequiredNodeLosses} node losses; --required-losses applies only when a volume is created.");
        }

        if (options.Nodes is int nodes && nodes != config.Nodes.Count)
        {
            if (config.Nodes.Count == 0)
            {
                throw new UsageException($"The volume in {options.DataDirectory} lives on a cluster run elsewhere (no local nodes in volume.json).");
            }

            if (nodes < config.Nodes.Count)
            {
                throw new UsageException(
                    $"The volume in {options.DataDirectory} has {config.Nodes.Count} nodes holding its fragments; removing nodes needs repair, which comes later. Run it with --nodes {config.Nodes.Count} or more.");
            }

            AddNodes(config, nodes - config.Nodes.Count, options);
            config.Save(options.DataDirectory);
        }
    }

    private static void AddNodes(VolumeConfig config, int count, UpOptions options)
    {
        var taken = new HashSet<int>(config.Nodes.Select(n => Endpoints.Parse(n.Listen).Port));
        IReadOnlyList<int> ports;
        try
        {
            ports = PortAllocator.Allocate(count, options.BasePort is int p ? p + config.Nodes.Count : null, taken);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException(e.Message, e);
        }

        foreach (int port in ports)
        {
            int index = config.Nodes.Count;
            string listen = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}");
            config.Nodes.Add(new NodeConfig
            {
                Index = index,
                Listen = listen,
                Data = [Path.Combine("nodes", index.ToString(CultureInfo.InvariantCulture))],
                Capacity = options.NodeCapacity,
            });
            config.Seeds.Add(listen);
        }
    }
}
