using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Catalog.Backup;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Recovery;

/// <summary>
/// Keeps the swarm's copy of the catalog current while the mount daemon runs: it notices commits by
/// SQLite's <c>PRAGMA data_version</c> (any process's), waits <see cref="Debounce"/> for a burst of them to
/// end, and backs up; at most one backup per <see cref="Interval"/>.
/// Disposing makes a last backup if anything changed, so an unmount leaves the swarm current. It opens
/// its own volume key and swarm connection, so wiring it takes one line beside the mount.
/// </summary>
internal sealed class CatalogBackupService : IAsyncDisposable
{
    /// <summary>How often the catalog is checked for changes. Default 10 s: a crash of the client loses at most that much history from the swarm's copy.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Quiet time after a change before backing up, so a burst of commits makes one snapshot. Default 2 s.</summary>
    public static TimeSpan Debounce { get; } = TimeSpan.FromSeconds(2);

    private readonly string _dataDirectory;
    private readonly VolumeConfig _config;
    private readonly VolumeKey _volumeKey;
    private readonly SwarmClient _client;
    private readonly SqliteConnection _watcher;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private long _backedUpVersion = -1;

    private CatalogBackupService(string dataDirectory, VolumeConfig config, VolumeKey volumeKey, SwarmClient client, ILogger logger)
    {
        _dataDirectory = dataDirectory;
        _config = config;
        _volumeKey = volumeKey;
        _client = client;
        _logger = logger;
        _watcher = CatalogSnapshot.OpenWatcher(VolumeConfig.Resolve(dataDirectory, config.CatalogFile));
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Starts backing up the catalog of the volume in <paramref name="dataDirectory"/>.</summary>
    public static async Task<CatalogBackupService> StartAsync(string dataDirectory, string? passphraseFile, ILogger logger, CancellationToken cancellationToken)
    {
        VolumeConfig config = VolumeAccess.LoadConfig(dataDirectory);
        VolumeKey volumeKey = VolumeAccess.LoadVolumeKey(dataDirectory, config, passphraseFile);
        try
        {
            SwarmClient client = await VolumeAccess.ConnectAsync(dataDirectory, config, logger, cancellationToken).ConfigureAwait(false);
            return new CatalogBackupService(dataDirectory, config, volumeKey, client, logger);
        }
        catch
        {
            volumeKey.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Skip the backup at dispose (<c>ugloo unmount --force</c>: the swarm may be unreachable, and the next mount
    /// backs the catalog up anyway).
    /// </summary>
    public bool SkipFinalBackup { get; set; }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);

        // The last commits before unmount: backed up with a bounded wait rather than left for the next mount.
        if (!SkipFinalBackup)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await BackUpIfChangedAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                Log.CatalogBackupFailed(_logger, "the swarm did not take the catalog's backup within 60 s; the next mount tries again");
            }
        }

        await _client.DisposeAsync().ConfigureAwait(false);
        _watcher.Dispose();
        _volumeKey.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        CancellationToken stopping = _stopping.Token;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(Interval, stopping).ConfigureAwait(false);
                    long seen = CatalogSnapshot.DataVersion(_watcher);
                    if (seen == _backedUpVersion)
                    {
                        continue;
                    }

                    // Debounce: wait until the catalog stays unchanged for a moment.
                    while (true)
                    {
                        await Task.Delay(Debounce, stopping).ConfigureAwait(false);
                        long now = CatalogSnapshot.DataVersion(_watcher);
                        if (now == seen)
                        {
                            break;
                        }

                        seen = now;
                    }

                    await BackUpIfChangedAsync(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (SqliteException e)
                {
                    // The catalog could not be read just now (locked past the busy timeout, say): the next tick retries.
                    Log.CatalogBackupFailed(_logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task BackUpIfChangedAsync(CancellationToken cancellationToken)
    {
        long version = CatalogSnapshot.DataVersion(_watcher);
        if (version == _backedUpVersion)
        {
            return;
        }

        try
        {
            await _client.RefreshAsync(cancellationToken).ConfigureAwait(false);
            await CatalogBackup.RunAsync(_dataDirectory, _config, _volumeKey, _client, _logger, cancellationToken).ConfigureAwait(false);
            _backedUpVersion = version;
        }
        catch (Exception e) when (e is VolumeException or IOException or SqliteException)
        {
            // Not fatal to the mount: the catalog is intact locally and the next change or interval retries.
            Log.CatalogBackupFailed(_logger, e.Message);
        }
    }
}
