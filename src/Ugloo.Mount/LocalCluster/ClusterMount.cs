using Microsoft.Extensions.Logging;
using Ugloo.Mount.Fuse;
using Ugloo.Mount.Recovery;
using Ugloo.Mount.Volume;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.LocalCluster;

/// <summary>
/// The mount <c>ugloo up</c> makes once its cluster is ready: the volume at <c>/mnt/ugloo</c> for root, else
/// <c>~/ugloo</c>, or <c>--mount PATH</c>. Disposing unmounts, waits for closed files still in the write-back
/// journal (a second Ctrl-C ends the process and leaves them queued), then closes the volume.
/// </summary>
internal sealed class ClusterMount : IAsyncDisposable
{
    private readonly VolumeSession _session;
    private readonly CatalogBackupService _backup;
    private readonly FuseMount _mount;
    private readonly TextWriter _out;

    private ClusterMount(string target, VolumeSession session, CatalogBackupService backup, FuseMount mount, TextWriter output)
    {
        Target = target;
        _session = session;
        _backup = backup;
        _mount = mount;
        _out = output;
    }

    public string Target { get; }

    /// <summary>Where <c>ugloo up</c> mounts without <c>--mount</c>.</summary>
    public static string DefaultTarget() =>
        !OperatingSystem.IsWindows() && LibC.GetEuid() == 0
            ? "/mnt/ugloo"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "ugloo");

    /// <summary>Mounts the volume on <paramref name="target"/> (made if missing).</summary>
    /// <exception cref="VolumeException">The mount point is unusable or the kernel refused the mount.</exception>
    public static async Task<ClusterMount> StartAsync(string dataDirectory, string target, string? passphraseFile, SegmentCacheOptions? cacheOptions, ILogger logger, TextWriter output, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new VolumeException("Mounting needs Linux FUSE; the Windows (WinFsp) adapter is not written yet.");
        }

        try
        {
            Directory.CreateDirectory(target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VolumeException($"Cannot use {target} as the mount point: {e.Message}", e);
        }

        if (Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new VolumeException($"The mount point {target} is not empty (or something is mounted there already); choose another with --mount PATH.");
        }

        VolumeSession session = await VolumeSession.OpenAsync(dataDirectory, passphraseFile, cacheOptions, logger, cancellationToken).ConfigureAwait(false);
        CatalogBackupService? backup = null;
        try
        {
            backup = await CatalogBackupService.StartAsync(dataDirectory, passphraseFile, logger, cancellationToken).ConfigureAwait(false);
            FuseMount mount = await FuseMount.MountAsync(target, session.FileSystem, new FuseMountOptions { Logger = logger }, cancellationToken).ConfigureAwait(false);
            return new ClusterMount(target, session, backup, mount, output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            if (backup is not null)
            {
                await backup.DisposeAsync().ConfigureAwait(false);
            }

            await session.DisposeAsync().ConfigureAwait(false);
            throw new VolumeException($"Cannot mount {target}: {e.Message}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _mount.DisposeAsync().ConfigureAwait(false);
        _backup.SkipFinalBackup = _session.FileSystem.LeaveQueuedOnExit;
        await _session.FileSystem.DrainJournalAsync(Console.Error, "stopping").ConfigureAwait(false);
        await _backup.DisposeAsync().ConfigureAwait(false);
        await _session.DisposeAsync().ConfigureAwait(false);
        _out.WriteLine($"Unmounted {Target}.");
    }
}
