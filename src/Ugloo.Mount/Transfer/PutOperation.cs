using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Ugloo.Engine;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Transfer;

/// <summary>
/// <c>ugloo put</c>: streams a local file (or stdin) through the object pipeline into the swarm, and only
/// once every segment is stored durably (the sink returns only then, DESIGN.md invariant 4) records the new
/// version in the catalog. A failed write records nothing; its fragments are orphans for repair to collect.
/// </summary>
internal sealed class PutOperation
{
    public required string DataDirectory { get; init; }

    public required string Local { get; init; }

    public required string VolumePath { get; init; }

    public string? PassphraseFile { get; init; }

    public bool Verbose { get; init; }

    public async Task<PutResult> RunAsync(CancellationToken cancellationToken)
    {
        VolumeConfig config = VolumeAccess.LoadConfig(DataDirectory);
        string path = ResolveVolumePath();
        using Stream input = OpenInput(out long? size);
        using VolumeCatalog catalog = VolumeAccess.OpenCatalog(DataDirectory, config);
        if (catalog.GetLatest(path) is null && path != "/" && catalog.List(path).Count > 0)
        {
            throw new VolumeException($"{path} is a directory in the volume; give a file path such as {path}/name.");
        }

        if (path == "/")
        {
            throw new VolumeException("The volume root is a directory; give a file path such as /name.");
        }

        using VolumeKey volumeKey = VolumeAccess.LoadVolumeKey(DataDirectory, config, PassphraseFile);
        using ILoggerFactory logging = ClientLogging.Create(Verbose);
        SwarmClient client = await VolumeAccess.ConnectAsync(DataDirectory, config, logging.CreateLogger("ugloo"), cancellationToken).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            int up = client.Members.Count(m => m.State == Engine.Placement.NodeState.Up);
            int known = client.Members.Select(m => m.Address).Union(config.Seeds, StringComparer.Ordinal).Count();
            int tolerated = client.ToleratedNodeLosses(config.K, config.M);
            if (tolerated < config.RequiredNodeLosses)
            {
                throw new VolumeException(
                    $"Cannot store {path} durably: only {up} of {known} nodes are up, and {config.CodeName} over {up} node(s) survives " +
                    $"{Words.NodeLosses(tolerated)} where the volume requires {Words.NodeLosses(config.RequiredNodeLosses)}. Nothing was stored; " +
                    $"'ugloo status' shows which nodes are down.");
            }

            var writer = new ObjectWriter(
                new ObjectPipelineOptions
                {
                    SegmentSize = config.SegmentSize,
                    DataFragments = config.K,
                    ParityFragments = config.M,

                    // Stores wait on the nodes' fsyncs: more segments in flight than cores keeps the disks busy.
                    DegreeOfParallelism = ObjectPipelineOptions.TransferWorkersFor(config.SegmentSize),
                },
                logging.CreateLogger("ugloo"));
            var counting = new CountingStream(input);
            long started = Stopwatch.GetTimestamp();
            Task<ObjectWriteResult> write = writer.WriteAsync(counting, client.CreateSink(config.K), volumeKey, cancellationToken);
            ObjectWriteResult result;
            try
            {
                await TransferProgress.RunAsync($"put {path}", size, () => counting.Count, write).ConfigureAwait(false);
                result = await write.ConfigureAwait(false);
            }
            catch (DurabilityException e)
            {
                throw new VolumeException($"Cannot store {path} durably; nothing was recorded. {e.Message}", e);
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            catalog.AddVersion(path, result.Manifest.PlaintextSize, result.Manifest.Serialize(), result.WrappedKey.Serialize(), DateTimeOffset.UtcNow);
            int versions = catalog.GetVersions(path).Count(v => !v.IsTombstone);
            await BackUpCatalogAsync(config, volumeKey, client, logging.CreateLogger("ugloo"), cancellationToken).ConfigureAwait(false);
            return new PutResult(path, result.Manifest.PlaintextSize, result.Manifest.StoredSize, versions, elapsed);
        }
    }

    /// <summary>
    /// The new version is durable and recorded; the swarm's copy of the catalog follows (invariant 5). A failure
    /// here loses nothing (the local catalog has the version), so it is a warning, and the next put or the
    /// mount daemon backs up again.
    /// </summary>
    private async Task BackUpCatalogAsync(VolumeConfig config, VolumeKey volumeKey, SwarmClient client, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await Recovery.CatalogBackup.RunAsync(DataDirectory, config, volumeKey, client, logger, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is VolumeException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            Console.Error.WriteLine($"ugloo: warning: the file is stored, but the catalog's copy in the swarm was not updated: {e.Message}");
        }
    }

    private string ResolveVolumePath()
    {
        string target = VolumePath;
        if (target.EndsWith('/'))
        {
            if (Local == "-")
            {
                throw new Cli.UsageException($"'{VolumePath}' is a directory; with stdin (-) give the file name too, e.g. {VolumePath}name.");
            }

            target += Path.GetFileName(Path.TrimEndingDirectorySeparator(Local));
        }

        try
        {
            return CatalogPath.Normalize(target);
        }
        catch (ArgumentException e)
        {
            throw new Cli.UsageException(e.Message, e);
        }
    }

    private Stream OpenInput(out long? size)
    {
        if (Local == "-")
        {
            size = null;
            return Console.OpenStandardInput();
        }

        if (Directory.Exists(Local))
        {
            throw new VolumeException($"{Local} is a directory; 'ugloo put' stores one file.");
        }

        try
        {
            var stream = new FileStream(Local, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            size = stream.Length;
            return stream;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new VolumeException($"No such local file: {Local}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VolumeException($"Cannot read {Local}: permission denied.", e);
        }
    }
}

/// <summary>What a put stored.</summary>
internal sealed record PutResult(string Path, long Size, long StoredSize, int Versions, TimeSpan Elapsed)
{
    public string Describe() =>
        $"Stored {Path}: {ByteSize.Format(Size)} ({ByteSize.Format(StoredSize)} with parity), version {Versions}, in {Elapsed.TotalSeconds:0.0} s" +
        (Elapsed.TotalSeconds > 0.05 && Size >= 1 << 20 ? $" ({Size / Elapsed.TotalSeconds / 1e6:0} MB/s)." : ".");
}
