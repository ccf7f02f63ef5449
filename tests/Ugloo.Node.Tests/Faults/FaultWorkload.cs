using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;
using Ugloo.Node.Tests.Swarm;

namespace Ugloo.Node.Tests.Faults;

/// <summary>
/// A writer that keeps writing objects of random sizes, recording each acknowledged one with its hash, and a
/// reader that keeps reading acknowledged objects back and compares them byte for byte (by SHA-256).
/// Each has its own client with short deadlines, so a stopped node costs seconds, not the default minute.
/// </summary>
internal sealed class FaultWorkload : IAsyncDisposable
{
    private readonly FaultScenarioOptions _options;
    private readonly LocalCluster _cluster;
    private readonly List<AcknowledgedObject> _acknowledged = [];
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _writer;
    private Task? _reader;
    private int _writesFailed;
    private int _readsOk;
    private int _readsFailed;
    private int _corrupt;
    private long _bytes;
    private volatile bool _writesPaused;

    public FaultWorkload(LocalCluster cluster, FaultScenarioOptions options)
    {
        _cluster = cluster;
        _options = options;
    }

    public int WritesFailed => _writesFailed;

    public int ReadsOk => _readsOk;

    public int ReadsFailed => _readsFailed;

    /// <summary>Reads that returned bytes other than those written (the reader verifies, so this must stay 0).</summary>
    public int Corrupt => _corrupt;

    public long BytesAcknowledged => Interlocked.Read(ref _bytes);

    public IReadOnlyCollection<string> Problems => _problems;

    /// <summary>While true the writer writes nothing (the write in flight finishes); reads go on.</summary>
    public bool WritesPaused
    {
        get => _writesPaused;
        set => _writesPaused = value;
    }

    public ObjectPipelineOptions Pipeline => new() { SegmentSize = _options.SegmentSize, DataFragments = _options.DataFragments, ParityFragments = _options.ParityFragments };

    public AcknowledgedObject[] Snapshot()
    {
        lock (_acknowledged)
        {
            return [.. _acknowledged];
        }
    }

    public void Start(CancellationToken cancellationToken)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        _writer = Task.Run(() => WriteLoopAsync(linked.Token), CancellationToken.None);
        _reader = Task.Run(() => ReadLoopAsync(linked.Token), CancellationToken.None);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        foreach (Task? loop in (Task?[])[_writer, _reader])
        {
            if (loop is not null)
            {
                try
                {
                    await loop;
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    /// <summary>Reads one acknowledged object with a fresh client; null when it read back right, else what went wrong.</summary>
    public static async Task<string?> VerifyAsync(SwarmClient client, AcknowledgedObject item, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await SwarmObjects.ReadAsync(client, item.Manifest, item.Key, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return $"object {item.Manifest.ObjectId}: read failed: {e.GetType().Name}: {e.Message}";
        }

        return bytes.Length == item.Length && SHA256.HashData(bytes).AsSpan().SequenceEqual(item.Sha256)
            ? null
            : $"object {item.Manifest.ObjectId}: CORRUPT: read {bytes.Length} bytes, wrote {item.Length}";
    }

    public async Task<SwarmClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var options = new SwarmClientOptions
        {
            Seeds = [.. _cluster.Nodes.Where(n => !n.HasExited).Select(n => n.Address)],
            ClusterKey = _cluster.ClusterKey,
            RequiredNodeLosses = 2,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            RequestTimeout = TimeSpan.FromSeconds(5),
            StragglerGrace = TimeSpan.FromSeconds(1),
        };
        return await SwarmClient.ConnectAsync(options, NullLogger.Instance, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        var random = new Random(_options.Seed);
        await using SwarmClient client = await ConnectAsync(ct);
        var writer = new ObjectWriter(Pipeline);
        int sinceRefresh = 0;
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(_options.WritePause, ct);
            if (_writesPaused)
            {
                continue;
            }

            if (++sinceRefresh >= 10)
            {
                sinceRefresh = 0;
                await client.RefreshAsync(ct);
            }

            byte[] content = new byte[random.Next(1, _options.MaxObjectSize + 1)];
            random.NextBytes(content);
            ObjectKey key = ObjectKey.Generate();
            try
            {
                ObjectManifest manifest = await writer.WriteAsync(new MemoryStream(content), client.CreateSink(_options.DataFragments), ObjectId.New(), key, ct);
                lock (_acknowledged)
                {
                    _acknowledged.Add(new AcknowledgedObject(manifest, key, SHA256.HashData(content), content.Length));
                }

                Interlocked.Add(ref _bytes, content.Length);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Never acknowledged, so never expected back: counted, not a loss.
                Interlocked.Increment(ref _writesFailed);
                await client.RefreshAsync(ct);
            }
        }
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var random = new Random(_options.Seed + 1);
        await using SwarmClient client = await ConnectAsync(ct);
        int sinceRefresh = 0;
        while (!ct.IsCancellationRequested)
        {
            AcknowledgedObject? item;
            lock (_acknowledged)
            {
                item = _acknowledged.Count == 0 ? null : _acknowledged[random.Next(_acknowledged.Count)];
            }

            if (item is null)
            {
                await Task.Delay(100, ct);
                continue;
            }

            if (++sinceRefresh >= 10)
            {
                sinceRefresh = 0;
                await client.RefreshAsync(ct);
            }

            string? problem = await VerifyAsync(client, item, ct);
            if (problem is null)
            {
                Interlocked.Increment(ref _readsOk);
                continue;
            }

            ct.ThrowIfCancellationRequested();
            _problems.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {problem}");
            Interlocked.Increment(ref problem.Contains("CORRUPT", StringComparison.Ordinal) ? ref _corrupt : ref _readsFailed);
            await client.RefreshAsync(ct);
        }
    }
}
