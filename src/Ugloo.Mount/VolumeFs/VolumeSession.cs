using Microsoft.Extensions.Logging;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.Fuse;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// Everything a mounted volume holds open: its catalog, volume key and swarm connection, and the
/// <see cref="VolumeFileSystem"/> over them. Disposing closes them (unmount first).
/// </summary>
internal sealed class VolumeSession : IAsyncDisposable
{
    private readonly VolumeCatalog _catalog;
    private readonly VolumeKey _volumeKey;
    private readonly SwarmClient _client;
    private readonly DataDirectoryLock _mountLock;

    private VolumeSession(DataDirectoryLock mountLock, VolumeCatalog catalog, VolumeKey volumeKey, SwarmClient client, VolumeFileSystem fileSystem)
    {
        _mountLock = mountLock;
        _catalog = catalog;
        _volumeKey = volumeKey;
        _client = client;
        FileSystem = fileSystem;
    }

    public VolumeFileSystem FileSystem { get; }

    /// <summary>The volume's catalog (tests reach its flushes through it).</summary>
    internal VolumeCatalog Catalog => _catalog;

    /// <summary>The directory of the segment cache under a data directory.</summary>
    public static string CacheDirectory(string dataDirectory) => Path.Combine(dataDirectory, "cache");

    /// <summary>
    /// Opens the volume in <paramref name="dataDirectory"/> and connects to its running cluster. Reads go
    /// through a <see cref="SegmentCache"/> in <c>DATA/cache</c> (<paramref name="cacheOptions"/>, default 1 GiB).
    /// </summary>
    /// <exception cref="VolumeException">
    /// No volume there, a missing or locked key, no node answers, or the volume is mounted already (its journal
    /// and staged copies can have one owner only: <see cref="DataDirectoryLock.Mount"/>).
    /// </exception>
    public static async Task<VolumeSession> OpenAsync(string dataDirectory, string? passphraseFile, SegmentCacheOptions? cacheOptions, ILogger logger, CancellationToken cancellationToken)
    {
        VolumeConfig config = VolumeAccess.LoadConfig(dataDirectory);
        DataDirectoryLock mountLock = DataDirectoryLock.Acquire(
            dataDirectory,
            DataDirectoryLock.Mount,
            holder => $"The volume of {dataDirectory} is mounted already{holder}: one mount per data directory (unmount it first).");
        VolumeKey? volumeKey = null;
        VolumeCatalog? catalog = null;
        try
        {
            volumeKey = VolumeAccess.LoadVolumeKey(dataDirectory, config, passphraseFile);
            catalog = VolumeAccess.OpenCatalog(dataDirectory, config);

            // Unlinks, renames and mkdirs need not wait for the disk; closes and versions still do.
            catalog.RelaxNamespaceSync();
            SwarmClient client = await VolumeAccess.ConnectAsync(dataDirectory, config, logger, cancellationToken).ConfigureAwait(false);
            string staging = Path.Combine(dataDirectory, "staging");
            uint uid = OperatingSystem.IsWindows() ? 0 : LibC.GetEuid();
            uint gid = OperatingSystem.IsWindows() ? 0 : LibC.GetEgid();
            var segments = new SegmentCache(CacheDirectory(dataDirectory), cacheOptions ?? new SegmentCacheOptions(), logger, config.SegmentSize);
            var fileSystem = new VolumeFileSystem(catalog, client, volumeKey, config, staging, segments, uid, gid, logger);
            fileSystem.StartJournal();
            return new VolumeSession(mountLock, catalog, volumeKey, client, fileSystem);
        }
        catch
        {
            catalog?.Dispose();
            volumeKey?.Dispose();
            mountLock.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await FileSystem.StopJournalAsync().ConfigureAwait(false);

            // The handles first: that cancels their fetches ahead, so fewer of them add segments to the cache after
            // it stopped writing (one that still does is refused and its buffer released). Then the cache writes
            // what it has queued and stops.
            FileSystem.Dispose();
            await FileSystem.Segments.FlushAsync().ConfigureAwait(false);
            FileSystem.Segments.Dispose();
            await _client.DisposeAsync().ConfigureAwait(false);
            _catalog.Dispose();
            _volumeKey.Dispose();
        }
        finally
        {
            // Whatever failed above, the process may mount again (an in-process host, a test).
            _mountLock.Dispose();
        }
    }
}
