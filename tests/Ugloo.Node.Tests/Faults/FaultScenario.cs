using System.Diagnostics;
using Ugloo.Engine.Swarm;
using Ugloo.Node.Tests.Swarm;

namespace Ugloo.Node.Tests.Faults;

/// <summary>
/// The fault-injection run of issue 5: separate ugloo-node processes on loopback, a writer and a reader
/// (<see cref="FaultWorkload"/>) that check every acknowledged object byte for byte, and a schedule of faults,
/// one at a time, each healed and the cluster let settle before the next, so that no segment ever loses more
/// fragments than the code survives: kill -9 and restart, flipped bytes and deleted files in a fragment store,
/// a full node, a slow node (a throttling proxy), a partitioned node (SIGSTOP/SIGCONT), a join, a drain and
/// removal. Then the writes stop, and the run waits for every segment to have n fragments and reads
/// everything back once more.
/// </summary>
internal sealed class FaultScenario
{
    /// <summary>Faults that may come again once every kind has come once (a join and a drain change the cluster's size).</summary>
    private static readonly string[] s_repeatable = ["kill", "corrupt", "slow", "partition"];

    private static readonly string[] s_counters = ["repair_fragments_rebuilt", "repair_bytes_rebuilt", "repair_fragments_moved", "repair_bytes_moved"];

    private readonly FaultScenarioOptions _options;
    private readonly Action<string> _log;
    private readonly Random _random;
    private readonly Dictionary<string, int> _faults = [];
    private readonly Dictionary<string, long> _banked = s_counters.ToDictionary(c => c, _ => 0L);
    private readonly HashSet<NodeProcess> _removed = [];
    private readonly List<string> _problems = [];
    private LocalCluster _cluster = null!;
    private FaultWorkload _workload = null!;
    private ThrottlingProxy _proxy = null!;
    private NodeProcess _slow = null!;
    private double? _joinRatio;
    private int _writesWhileFull;
    private long? _fullNodeFree;

    private FaultScenario(FaultScenarioOptions options, Action<string> log)
    {
        _options = options;
        _log = log;
        _random = new Random(options.Seed);
    }

    public static async Task<FaultReport> RunAsync(FaultScenarioOptions options, Action<string> log, CancellationToken ct)
    {
        var scenario = new FaultScenario(options, log);
        return await scenario.RunAsync(ct);
    }

    private string[] NodeArgs => [.. _options.NodeArgs, "--capacity", _options.NodeCapacity];

    private IEnumerable<NodeProcess> Live => _cluster.Nodes.Where(n => !n.HasExited && !_removed.Contains(n));

    private async Task<FaultReport> RunAsync(CancellationToken ct)
    {
        long started = Stopwatch.GetTimestamp();

        // The last node advertises a proxy in front of it, so that it can be slowed down (see SlowAsync).
        int proxyPort = NodeProcess.FreePort();
        int count = _options.Nodes;
        await using LocalCluster cluster = await LocalCluster.StartAsync(count, ct, i => i == count - 1 ? [.. NodeArgs, "--advertise", $"127.0.0.1:{proxyPort}"] : NodeArgs);
        _cluster = cluster;
        _slow = cluster.Nodes[^1];
        await using var proxy = new ThrottlingProxy(proxyPort, _slow.Port, int.MaxValue);
        _proxy = proxy;
        await (await cluster.ConnectAsync(count, ct)).DisposeAsync();
        _log($"{count} nodes up, RS({_options.DataFragments},{_options.ParityFragments}), {_options.SegmentSize >> 10} KiB segments, seed {_options.Seed}");

        await using var workload = new FaultWorkload(cluster, _options);
        _workload = workload;
        workload.Start(ct);
        await Task.Delay(TimeSpan.FromSeconds(2), ct);

        // Every kind once, in an order drawn from the seed; then random faults until the duration is used up.
        string[] kinds = ["kill", "corrupt", "slow", "partition", "fill", "join", "drain"];
        _random.Shuffle(kinds);
        var queue = new Queue<string>(kinds);
        long faultsStart = Stopwatch.GetTimestamp();
        long lastHealed = faultsStart;
        while (queue.Count > 0 || Stopwatch.GetElapsedTime(faultsStart) < _options.FaultDuration)
        {
            string kind = queue.Count > 0 ? queue.Dequeue() : s_repeatable[_random.Next(s_repeatable.Length)];
            TimeSpan hold = _options.FaultHold * (0.5 + (_random.NextDouble() / 2));
            _log($"{Stopwatch.GetElapsedTime(started).TotalSeconds,6:0.0} s  {kind} (hold {hold.TotalSeconds:0.0} s), {workload.Snapshot().Length} objects acknowledged, {workload.ReadsOk} reads ok");
            await (kind switch
            {
                "kill" => KillAsync(hold, ct),
                "corrupt" => CorruptAsync(ct),
                "slow" => SlowAsync(hold, ct),
                "partition" => PartitionAsync(hold, ct),
                "fill" => FillAsync(hold, ct),
                "join" => JoinAsync(ct),
                "drain" => DrainAsync(ct),
                _ => throw new InvalidOperationException(kind),
            });
            _faults[kind] = _faults.GetValueOrDefault(kind) + 1;
            lastHealed = Stopwatch.GetTimestamp();
            await SettleAsync(ct);
        }

        // The last fault is healed: stop writing and wait until every acknowledged segment has n fragments.
        workload.WritesPaused = true;
        await Task.Delay(_options.WritePause * 4, ct);
        AcknowledgedObject[] objects = workload.Snapshot();
        bool redundant = await WaitForFullRedundancyAsync(objects, ct);
        double toRedundancy = Stopwatch.GetElapsedTime(lastHealed).TotalSeconds;
        _log($"{Stopwatch.GetElapsedTime(started).TotalSeconds,6:0.0} s  {(redundant ? "fully redundant" : "NOT fully redundant")} {toRedundancy:0.0} s after the last fault");
        await workload.StopAsync();

        // Everything acknowledged, read back once more by a fresh client.
        int lost = 0;
        await using (SwarmClient client = await workload.ConnectAsync(ct))
        {
            await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (item, token) =>
            {
                if (await FaultWorkload.VerifyAsync(client, item, token) is string problem)
                {
                    lock (_problems)
                    {
                        lost++;
                        _problems.Add($"final read: {problem}");
                    }
                }
            });
        }

        Dictionary<string, long> counters = await CountersAsync(ct);
        long rebuilt = counters["repair_bytes_rebuilt"];
        return new FaultReport
        {
            AcknowledgedLostOrCorrupt = lost + workload.Corrupt,
            ReadsFailedWithinTolerance = workload.ReadsFailed,
            FullyRedundant = redundant,
            SecondsToFullRedundancy = Math.Round(toRedundancy, 1),
            WritesAcknowledged = objects.Length,
            WritesFailed = workload.WritesFailed,
            BytesAcknowledged = workload.BytesAcknowledged,
            ReadsOk = workload.ReadsOk,
            Faults = _faults,
            FragmentsRebuilt = counters["repair_fragments_rebuilt"],
            BytesRebuilt = rebuilt,
            BytesMoved = counters["repair_bytes_moved"],
            BytesMovedPerByteRebuilt = rebuilt > 0 ? Math.Round((double)counters["repair_bytes_moved"] / rebuilt, 2) : null,
            JoinMovedVsMinimum = _joinRatio,
            WritesWhileFull = _writesWhileFull,
            FullNodeFreeBytes = _fullNodeFree,
            Seconds = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 1),
            Seed = _options.Seed,
            Problems = [.. _problems, .. workload.Problems],
        };
    }

    /// <summary>A node at random, never the first (others join through it), a removed one or the proxied one when <paramref name="notSlow"/>.</summary>
    private NodeProcess PickVictim(bool notSlow = false)
    {
        NodeProcess[] candidates = [.. Live.Where(n => n != _cluster.Nodes[0] && (!notSlow || n != _slow))];
        return candidates[_random.Next(candidates.Length)];
    }

    private async Task KillAsync(TimeSpan hold, CancellationToken ct)
    {
        NodeProcess victim = PickVictim();
        await BankCountersAsync(victim, ct);
        await victim.KillAsync();
        await Task.Delay(hold, ct);
        await victim.RestartAsync(ct);
    }

    /// <summary>Flips a byte in some fragment files of one node and deletes others; waits for two scrub passes there.</summary>
    private async Task CorruptAsync(CancellationToken ct)
    {
        NodeProcess victim = PickVictim();
        long passes = (await FaultProbe.StatusAsync(_cluster, victim, ct))?["scrub_passes"] ?? 0;
        string[] files = [.. victim.DataDirectories.Where(d => Directory.Exists(Path.Combine(d, "fragments")))
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(d, "fragments"), "*", SearchOption.AllDirectories))];
        _random.Shuffle(files);
        int flipped = 0;
        int deleted = 0;
        foreach (string file in files.Take(Math.Max(2, files.Length / 10)))
        {
            try
            {
                if ((flipped + deleted) % 2 == 0)
                {
                    await using FileStream stream = File.Open(file, FileMode.Open, FileAccess.ReadWrite);
                    if (stream.Length == 0)
                    {
                        continue;
                    }

                    stream.Position = _random.NextInt64(stream.Length);
                    int b = stream.ReadByte();
                    stream.Position--;
                    stream.WriteByte((byte)(b ^ 0x5A));
                    flipped++;
                }
                else
                {
                    File.Delete(file);
                    deleted++;
                }
            }
            catch (IOException)
            {
                // Moved away by rebalancing or scrub meanwhile: the next file.
            }
        }

        _log($"         {flipped} fragment files flipped, {deleted} deleted on {victim.Address}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.SettleTimeout);
        try
        {
            while (((await FaultProbe.StatusAsync(_cluster, victim, deadline.Token))?["scrub_passes"] ?? 0) < passes + 2)
            {
                await Task.Delay(250, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _problems.Add($"scrub on {victim.Address} did not finish two passes within {_options.SettleTimeout}");
        }
    }

    private async Task SlowAsync(TimeSpan hold, CancellationToken ct)
    {
        _proxy.BytesPerSecond = _options.SlowBytesPerSecond;
        await Task.Delay(hold, ct);
        _proxy.BytesPerSecond = int.MaxValue;
    }

    /// <summary>SIGSTOP: the process holds its sockets but answers nothing, as behind a dropped link; SIGCONT heals.</summary>
    private async Task PartitionAsync(TimeSpan hold, CancellationToken ct)
    {
        NodeProcess victim = PickVictim();
        await SignalAsync(victim, "STOP");
        try
        {
            await Task.Delay(hold, ct);
        }
        finally
        {
            await SignalAsync(victim, "CONT");
        }
    }

    /// <summary>Restarts a node offering only what it holds and a little more: its stores are refused with full; writes must go on elsewhere.</summary>
    private async Task FillAsync(TimeSpan hold, CancellationToken ct)
    {
        NodeProcess victim = PickVictim(notSlow: true);
        long held = (await FaultProbe.StatusAsync(_cluster, victim, ct))?["bytes"] ?? 0;
        IReadOnlyList<string> normal = victim.ExtraArgs;
        await BankCountersAsync(victim, ct);
        await victim.RestartAsync(WithCapacity(normal, (held + (256 << 10)).ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
        int before = _workload.Snapshot().Length;
        await Task.Delay(hold + TimeSpan.FromSeconds(2), ct);
        _writesWhileFull += _workload.Snapshot().Length - before;
        _fullNodeFree = (await FaultProbe.StatusAsync(_cluster, victim, ct))?["free"];
        _log($"         {victim.Address} full ({_fullNodeFree} bytes free), {_workload.Snapshot().Length - before} writes acknowledged meanwhile");
        await BankCountersAsync(victim, ct);
        await victim.RestartAsync(normal, ct);
    }

    /// <summary>Adds a node while the workload runs; measures the fragments moved against those that had to land on it.</summary>
    private async Task JoinAsync(CancellationToken ct)
    {
        AcknowledgedObject[] before = _workload.Snapshot();
        long movedBefore = (await CountersAsync(ct))["repair_fragments_moved"];
        NodeProcess joined = await _cluster.AddNodeAsync(ct, NodeArgs);
        long moved = 0;
        int onNew = 0;
        int stable = 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.SettleTimeout);
        try
        {
            // Settled: something arrived, and neither the newcomer's share nor the moves grew for 3 s.
            while (stable < 3)
            {
                await Task.Delay(1000, deadline.Token);
                int nowOnNew = (await FaultProbe.HeldAsync(_cluster, [joined], before, deadline.Token)).Count;
                long nowMoved = (await CountersAsync(deadline.Token))["repair_fragments_moved"] - movedBefore;
                stable = nowOnNew > 0 && nowOnNew == onNew && nowMoved == moved ? stable + 1 : 0;
                (onNew, moved) = (nowOnNew, nowMoved);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _problems.Add($"the join did not settle within {_options.SettleTimeout}: {onNew} fragments on the new node, {moved} moved");
        }

        _joinRatio = onNew > 0 ? Math.Round((double)moved / onNew, 2) : null;
        _log($"         joined {joined.Address}: {moved} fragments moved, {onNew} of the earlier objects' fragments on it");
    }

    /// <summary>ugloo-node drain --wait on a node, then kill it and take it out of the cluster for good.</summary>
    private async Task DrainAsync(CancellationToken ct)
    {
        NodeProcess victim = PickVictim(notSlow: true);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])[NodeProcess.DllPath, "drain", "--node", victim.Address, "--cluster-key", _cluster.ClusterKeyPath, "--wait"])
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(ct);
        Task<string> stderr = process.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.DrainTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill();
            _problems.Add($"drain of {victim.Address} did not finish within {_options.DrainTimeout}; its log ends:\n{victim.Output[^Math.Min(3000, victim.Output.Length)..]}");
        }

        string output = (await stdout) + (await stderr);
        if (process.HasExited && process.ExitCode != 0)
        {
            _problems.Add($"drain of {victim.Address} exited with {process.ExitCode}: {output}");
        }

        _log($"         drained {victim.Address}: {output.Trim().Split('\n')[^1]}");
        await BankCountersAsync(victim, ct);
        await victim.KillAsync();
        _removed.Add(victim);
    }

    /// <summary>
    /// Waits until no live node reports a segment it is responsible for as short of fragments or queued for
    /// repair, in two checks a second apart, so that the next fault starts from a whole cluster.
    /// </summary>
    private async Task SettleAsync(CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.SettleTimeout);
        int clean = 0;
        try
        {
            while (clean < 2)
            {
                await Task.Delay(1000, deadline.Token);
                long pending = 0;
                foreach (NodeProcess node in Live)
                {
                    IReadOnlyDictionary<string, long>? status = await FaultProbe.StatusAsync(_cluster, node, deadline.Token);
                    pending += status is null ? 1 : status["repair_degraded"] + status["repair_at_risk"] + status["repair_lost"] + status["repair_queue"];
                }

                clean = pending == 0 ? clean + 1 : 0;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _problems.Add($"the cluster did not settle within {_options.SettleTimeout}");
        }
    }

    private async Task<bool> WaitForFullRedundancyAsync(AcknowledgedObject[] objects, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.SettleTimeout);
        int shortSegments = -1;
        try
        {
            while ((shortSegments = await FaultProbe.CountShortSegmentsAsync(_cluster, Live, objects, deadline.Token)) > 0)
            {
                await Task.Delay(500, deadline.Token);
            }

            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _problems.Add($"{shortSegments} segments still short of n fragments {_options.SettleTimeout} after the last fault");
            return false;
        }
    }

    /// <summary>Keeps a node's repair counters before it restarts (they count since start).</summary>
    private async Task BankCountersAsync(NodeProcess node, CancellationToken ct)
    {
        if (await FaultProbe.StatusAsync(_cluster, node, ct) is { } status)
        {
            foreach (string counter in s_counters)
            {
                _banked[counter] += status[counter];
            }
        }
    }

    /// <summary>The repair counters of the whole run: banked ones plus the live nodes' current figures.</summary>
    private async Task<Dictionary<string, long>> CountersAsync(CancellationToken ct)
    {
        var sums = new Dictionary<string, long>(_banked);
        foreach (NodeProcess node in Live)
        {
            if (await FaultProbe.StatusAsync(_cluster, node, ct) is { } status)
            {
                foreach (string counter in s_counters)
                {
                    sums[counter] += status[counter];
                }
            }
        }

        return sums;
    }

    private static string[] WithCapacity(IReadOnlyList<string> args, string capacity)
    {
        string[] copy = [.. args];
        int at = Array.IndexOf(copy, "--capacity");
        return at >= 0 ? [.. copy[..(at + 1)], capacity, .. copy[(at + 2)..]] : [.. copy, "--capacity", capacity];
    }

    private static async Task SignalAsync(NodeProcess node, string signal)
    {
        if (node.ProcessId is int pid)
        {
            using Process kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(CancellationToken.None);
        }
    }
}
