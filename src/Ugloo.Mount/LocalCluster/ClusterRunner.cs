using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine;
using Ugloo.Engine.Cluster;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.Volume;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.LocalCluster;

/// <summary>
/// <c>ugloo up</c>: runs the volume's local nodes as child processes, waits until a client sees all of
/// them, says what the user has, and stays in the foreground until Ctrl-C or SIGTERM, when it stops every
/// node cleanly. A node that dies meanwhile is reported and left down (the volume keeps working while the
/// losses stay within what it tolerates).
/// </summary>
internal sealed class ClusterRunner
{
    /// <summary>The line that says the cluster is usable; scripts and tests wait for it.</summary>
    public const string ReadyPrefix = "Ready:";

    private readonly UpOptions _options;
    private readonly TextWriter _out;
    private readonly List<NodeProcess> _nodes = [];
    private volatile bool _stopping;

    public ClusterRunner(UpOptions options, TextWriter output)
    {
        _options = options;
        _out = output;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        string dir = _options.DataDirectory;
        VolumeSetup.CreatePrivateDirectory(dir);
        using DataDirectoryLock upLock = DataDirectoryLock.Acquire(dir, DataDirectoryLock.Up, holder => $"'ugloo up' is already running for {dir}{holder}.");
        (VolumeConfig config, bool created) = VolumeSetup.LoadOrCreate(_options);
        if (config.Nodes.Count == 0)
        {
            throw new VolumeException($"The volume in {dir} has no local nodes to run (its cluster runs elsewhere).");
        }

        RefuseLeftovers(dir, config);
        string clusterKey = VolumeConfig.Resolve(dir, config.ClusterKeyFile);
        _out.WriteLine(created
            ? $"Creating a volume in {dir}: {config.CodeName}, {ByteSize.Format(config.SegmentSize)} segments, {config.Nodes.Count} nodes."
            : $"Starting the volume in {dir} ({config.CodeName}, {config.Nodes.Count} nodes).");

        ClusterMount? mount = null;
        using ILoggerFactory logging = LoggerFactory.Create(builder =>
        {
            // The mount's warnings (an upload that keeps failing, a read the swarm cannot serve) go to stderr.
            builder.SetMinimumLevel(LogLevel.Warning);
            builder.AddSimpleConsole(o => o.SingleLine = true);
            builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        try
        {
            IReadOnlyList<SwarmMember> members = await StartAllAsync(dir, config, clusterKey, cancellationToken).ConfigureAwait(false);
            string? mountError = null;
            if (!_options.NoMount)
            {
                try
                {
                    mount = await ClusterMount.StartAsync(dir, _options.MountPath ?? ClusterMount.DefaultTarget(), _options.PassphraseFile, _options.Cache, logging.CreateLogger("ugloo"), _out, cancellationToken).ConfigureAwait(false);
                }
                catch (VolumeException e) when (_options.MountPath is null)
                {
                    // The default mount point is a convenience: without it the cluster still serves the CLI.
                    mountError = e.Message;
                }
            }

            await using UpGateway gateway = await UpGateway.StartAsync(_options, cancellationToken).ConfigureAwait(false);
            PrintSummary(dir, config, members, mount?.Target, mountError, gateway);
            await MonitorAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            if (mount is not null)
            {
                await mount.DisposeAsync().ConfigureAwait(false);
            }

            _stopping = true;
            await StopAllAsync().ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<SwarmMember>> StartAllAsync(string dir, VolumeConfig config, string clusterKey, CancellationToken cancellationToken)
    {
        // The first node starts alone and the others join it; its port must accept before they dial it.
        NodeProcess first = NodeProcess.Start(dir, config.Nodes[0], clusterKey, join: null);
        _nodes.Add(first);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ReadyTimeout);
        try
        {
            await WaitForPortAsync(first, deadline.Token).ConfigureAwait(false);
            foreach (NodeConfig node in config.Nodes.Skip(1))
            {
                _nodes.Add(NodeProcess.Start(dir, node, clusterKey, join: config.Nodes[0].Listen));
            }

            return await WaitForMembersAsync(dir, config, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new VolumeException(
                $"The cluster did not come up within {_options.ReadyTimeout.TotalSeconds:0} s. {DescribeLaggards()}");
        }
    }

    private static async Task WaitForPortAsync(NodeProcess node, CancellationToken cancellationToken)
    {
        DnsEndPointParts(node.Config.Listen, out string host, out int port);
        while (true)
        {
            ThrowIfExited(node);
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<IReadOnlyList<SwarmMember>> WaitForMembersAsync(string dir, VolumeConfig config, CancellationToken cancellationToken)
    {
        SwarmClient? client = null;
        try
        {
            while (true)
            {
                foreach (NodeProcess node in _nodes)
                {
                    ThrowIfExited(node);
                }

                try
                {
                    if (client is null)
                    {
                        client = await VolumeAccess.ConnectAsync(dir, config, NullLogger.Instance, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await client.RefreshAsync(cancellationToken).ConfigureAwait(false);
                    }

                    var up = client.Members.Where(m => m.State == NodeState.Up).Select(m => m.Address).ToHashSet(StringComparer.Ordinal);
                    if (config.Nodes.All(n => up.Contains(n.Listen)))
                    {
                        return client.Members;
                    }
                }
                catch (VolumeException)
                {
                    // No node answers yet.
                }

                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static void ThrowIfExited(NodeProcess node)
    {
        if (node.HasExited)
        {
            throw new VolumeException(
                $"Node {node.Config.Index} ({node.Config.Listen}) exited with code {node.Exited.Result} while starting. Its log ({node.LogPath}) ends with:\n{node.LogTail(15)}");
        }
    }

    private string DescribeLaggards()
    {
        IEnumerable<string> lines = _nodes.Select(n => $"Node {n.Config.Index} ({n.Config.Listen}, pid {n.Pid}): log {n.LogPath}:\n{n.LogTail(5)}");
        return string.Join('\n', lines);
    }

    private void PrintSummary(string dir, VolumeConfig config, IReadOnlyList<SwarmMember> members, string? mountedAt, string? mountError, UpGateway gateway)
    {
        int n = config.K + config.M;
        int survives = Math.Max(0, SegmentDurability.ToleratedNodeLosses(config.K, config.M, config.Nodes.Count));
        var byAddress = members.ToDictionary(m => m.Address, StringComparer.Ordinal);
        TextWriter o = _out;
        o.WriteLine();
        o.WriteLine($"Ugloo is up: a local cluster of {config.Nodes.Count} node(s) on loopback.");
        o.WriteLine($"  data      {dir}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  code      {config.CodeName}: each {ByteSize.Format(config.SegmentSize)} segment is encrypted and cut into {config.K} data + {config.M} parity fragments ({(double)n / config.K:0.##}x storage); any {config.K} bring it back"));
        o.WriteLine($"  survives  losing {Words.AnyNodes(survives)} of the {config.Nodes.Count}; a write is acknowledged only once it survives {Words.NodeLosses(config.RequiredNodeLosses)}");
        o.WriteLine("  nodes");
        foreach (NodeProcess node in _nodes)
        {
            string id = byAddress.TryGetValue(node.Config.Listen, out SwarmMember? member) ? member.Id.ToString()[..12] : "?";
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {node.Config.Index,-3} {node.Config.Listen,-21} id {id}  pid {node.Pid,-7} log {Path.GetRelativePath(dir, node.LogPath)}"));
        }

        o.WriteLine(
            mountedAt is not null ? $"  mount     {mountedAt}: every closed file is a new version; history under {Path.Combine(mountedAt, VolumeFileSystem.HistoryName)}/ (Ctrl-C unmounts)"
            : _options.NoMount ? "  mount     none (--no-mount); 'ugloo mount PATH' mounts it later"
            : $"  mount     none: {mountError} ('ugloo up --mount PATH' chooses another place)");
        string data = _options.DataDirectory == DataDirectoryLocator.Resolve(null) ? "" : $" --data {Quote(dir)}";
        UpGateway.PrintSummary(o, gateway, _options);
        o.WriteLine();
        o.WriteLine("In another terminal:");
        o.WriteLine($"  ugloo put{data} ./photo.jpg /photos/photo.jpg     store a file (- reads stdin)");
        o.WriteLine($"  ugloo get{data} /photos/photo.jpg ./copy.jpg      read it back (- writes stdout)");
        o.WriteLine($"  ugloo ls{data} /photos                            list files, sizes, versions");
        o.WriteLine($"  ugloo status{data}                                nodes and what the volume can still lose");
        o.WriteLine();
        o.WriteLine($"{ReadyPrefix} {config.Nodes.Count} of {config.Nodes.Count} nodes up. Ctrl-C stops the cluster.");
    }

    private async Task MonitorAsync(CancellationToken cancellationToken)
    {
        var watching = _nodes.ToDictionary(n => (Task)n.Exited, n => n);
        Task cancelled = Task.Delay(Timeout.Infinite, cancellationToken);
        while (true)
        {
            Task done = await Task.WhenAny(watching.Keys.Append(cancelled)).ConfigureAwait(false);
            if (done == cancelled)
            {
                return;
            }

            NodeProcess node = watching[done];
            watching.Remove(done);

            // A Ctrl-C in the terminal reaches the nodes too (same process group); their exit is then no news.
            await Task.WhenAny(cancelled, Task.Delay(300, CancellationToken.None)).ConfigureAwait(false);
            if (_stopping || cancellationToken.IsCancellationRequested)
            {
                return;
            }

            int up = _nodes.Count(n => !n.HasExited);
            _out.WriteLine($"Node {node.Config.Index} ({node.Config.Listen}, pid {node.Pid}) exited: {DescribeExit(node.Exited.Result)}. {up} of {_nodes.Count} nodes still run; see {node.LogPath}.");
        }
    }

    private async Task StopAllAsync()
    {
        NodeProcess[] running = [.. _nodes.Where(n => !n.HasExited)];
        if (running.Length > 0)
        {
            _out.WriteLine($"Stopping {running.Length} node(s)...");
        }

        int[] codes = await Task.WhenAll(running.Select(n => n.StopAsync(_options.StopGrace))).ConfigureAwait(false);
        int unclean = codes.Count(c => c != 0);
        foreach (NodeProcess node in _nodes)
        {
            node.Dispose();
        }

        if (running.Length > 0)
        {
            _out.WriteLine(unclean == 0 ? "All nodes stopped." : $"All nodes stopped ({unclean} did not exit cleanly; see their node.log).");
        }
    }

    /// <summary>Nodes of an earlier run still alive (their 'ugloo up' was killed) would hold the ports.</summary>
    private static void RefuseLeftovers(string dir, VolumeConfig config)
    {
        var alive = new List<string>();
        foreach (NodeConfig node in config.Nodes)
        {
            string pidFile = NodeProcess.PidFile(Path.GetFullPath(node.Data[0], dir));
            if (DataDirectoryLock.ReadLivePid(pidFile, "ugloo-node") is int pid)
            {
                alive.Add(pid.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (alive.Count > 0)
        {
            throw new VolumeException(
                $"Node processes of an earlier 'ugloo up' on {dir} are still running (pid {string.Join(", ", alive)}); stop them first: kill {string.Join(' ', alive)}");
        }
    }

    private static string DescribeExit(int code) => code switch
    {
        0 => "it stopped cleanly (exit code 0)",
        > 128 and < 160 => string.Create(CultureInfo.InvariantCulture, $"killed by signal {code - 128} (exit code {code})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"exit code {code}"),
    };

    private static void DnsEndPointParts(string address, out string host, out int port)
    {
        var endpoint = Endpoints.Parse(address);
        host = endpoint.Host;
        port = endpoint.Port;
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"'{path}'" : path;
}
