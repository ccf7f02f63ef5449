using Microsoft.Extensions.Logging;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Codec;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.S3;

/// <summary>
/// The volume as the gateway holds it open: the catalog (one SQLite connection, so every use takes a lock),
/// the volume key and the swarm connection. Objects are written and read with the same pipeline as
/// <c>ugloo put/get</c> and the mount: a write is recorded only once the swarm holds it durably.
/// </summary>
internal sealed class S3Volume : IAsyncDisposable
{
    private readonly VolumeCatalog _catalog;
    private readonly Lock _gate = new();
    private readonly VolumeKey _volumeKey;
    private readonly SwarmClient _client;
    private readonly VolumeConfig _config;
    private readonly ILogger _logger;

    private S3Volume(string dataDirectory, VolumeCatalog catalog, VolumeKey volumeKey, SwarmClient client, VolumeConfig config, ILogger logger)
    {
        DataDirectory = dataDirectory;
        _catalog = catalog;
        _volumeKey = volumeKey;
        _client = client;
        _config = config;
        _logger = logger;
    }

    public string DataDirectory { get; }

    /// <summary>Opens the volume in <paramref name="dataDirectory"/> and connects to its running cluster.</summary>
    public static async Task<S3Volume> OpenAsync(string dataDirectory, string? passphraseFile, ILogger logger, CancellationToken cancellationToken)
    {
        VolumeConfig config = VolumeAccess.LoadConfig(dataDirectory);
        VolumeKey volumeKey = VolumeAccess.LoadVolumeKey(dataDirectory, config, passphraseFile);
        VolumeCatalog? catalog = null;
        try
        {
            catalog = VolumeAccess.OpenCatalog(dataDirectory, config);
            SwarmClient client = await VolumeAccess.ConnectAsync(dataDirectory, config, logger, cancellationToken).ConfigureAwait(false);
            return new S3Volume(dataDirectory, catalog, volumeKey, client, config, logger);
        }
        catch
        {
            catalog?.Dispose();
            volumeKey.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="action"/> on the catalog under the gateway's lock.</summary>
    public T Catalog<T>(Func<VolumeCatalog, T> action)
    {
        lock (_gate)
        {
            return action(_catalog);
        }
    }

    /// <summary>
    /// Encrypts, erasure-codes and stores <paramref name="input"/> (read to its end) in the swarm and returns
    /// what the catalog needs; records nothing itself.
    /// </summary>
    /// <exception cref="S3Exception">ServiceUnavailable: too few nodes to store durably.</exception>
    public async Task<ObjectWriteResult> WriteAsync(Stream input, CancellationToken cancellationToken)
    {
        int tolerated = _client.ToleratedNodeLosses(_config.K, _config.M);
        if (tolerated < _config.RequiredNodeLosses)
        {
            await _client.RefreshAsync(cancellationToken).ConfigureAwait(false);
            tolerated = _client.ToleratedNodeLosses(_config.K, _config.M);
            if (tolerated < _config.RequiredNodeLosses)
            {
                int up = _client.Members.Count(m => m.State == NodeState.Up);
                throw S3Errors.ServiceUnavailable($"Only {up} node(s) are up: the volume cannot store data durably now ('ugloo status' shows the nodes).");
            }
        }

        var writer = new ObjectWriter(
            new ObjectPipelineOptions
            {
                SegmentSize = _config.SegmentSize,
                DataFragments = _config.K,
                ParityFragments = _config.M,
                DegreeOfParallelism = ObjectPipelineOptions.TransferWorkersFor(_config.SegmentSize),
            },
            _logger);
        try
        {
            return await writer.WriteAsync(input, _client.CreateSink(_config.K), _volumeKey, cancellationToken).ConfigureAwait(false);
        }
        catch (DurabilityException e)
        {
            throw S3Errors.ServiceUnavailable($"The volume cannot store data durably now: {e.Message}");
        }
    }

    /// <summary>Writes bytes [<paramref name="offset"/>, offset + <paramref name="count"/>) of a version to <paramref name="destination"/>.</summary>
    public async Task ReadAsync(CatalogVersion version, long offset, long count, Stream destination, CancellationToken cancellationToken)
    {
        ObjectManifest manifest = ObjectManifest.Deserialize(version.Manifest!);
        using ObjectKey key = _volumeKey.Unwrap(manifest.ObjectId, WrappedObjectKey.Deserialize(version.WrappedKey!));
        var reader = new ObjectReader(manifest, key, _client.CreateSource(manifest), new ObjectPipelineOptions { DegreeOfParallelism = ObjectPipelineOptions.TransferWorkersFor(manifest.SegmentSize) }, _logger);
        try
        {
            // A packed small file is a range of its pack object.
            await reader.ReadRangeAsync(version.ContentOffset + offset, count, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (InsufficientFragmentsException e)
        {
            throw S3Errors.ServiceUnavailable($"Cannot read the object now: {e.Message}");
        }
        catch (SegmentAuthenticationException e)
        {
            throw new S3Exception("InternalError", 500, $"Segment {e.SegmentIndex} failed authentication (tampered data or a damaged catalog entry).");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync().ConfigureAwait(false);
        _catalog.Dispose();
        _volumeKey.Dispose();
    }
}
