using System.CommandLine;
using Microsoft.Extensions.Logging;
using Ugloo.Engine;
using Ugloo.Mount.Fuse;
using Ugloo.Mount.Volume;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Cli;

/// <summary>
/// <c>ugloo mount MOUNTPOINT</c>: the volume as a FUSE file system until Ctrl-C or SIGTERM, which unmount it
/// cleanly (exit 0). Errors of the mounted file system (a write that cannot be stored durably) go to stderr.
/// </summary>
internal static class MountCommand
{
    public static Command Create()
    {
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "An existing empty directory to mount the volume on." };
        Option<string> data = CommonOptions.Data();
        Option<string> passphrase = CommonOptions.PassphraseFile();
        Option<bool> verbose = CommonOptions.Verbose();
        Option<string> cacheSize = CacheSizeOption();
        var command = new Command("mount", "Mount the volume as a file system (FUSE) until Ctrl-C or SIGTERM; every file written is a new version.")
        {
            mountPoint, data, passphrase, cacheSize, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string target = Path.GetFullPath(parse.GetValue(mountPoint)!);
            if (!Directory.Exists(target))
            {
                throw new VolumeException($"Mount point {target} is not a directory: create it first (mkdir -p {target}).");
            }

            string dataDirectory = CommonOptions.DataDirectory(parse, data);
            SegmentCacheOptions? cache = CacheOptions(parse.GetValue(cacheSize));
            using ILoggerFactory logging = LoggerFactory.Create(builder =>
            {
                builder.SetMinimumLevel(parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning);
                builder.AddSimpleConsole(o => o.SingleLine = true);
                builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            });
            ILogger logger = logging.CreateLogger("ugloo");
            VolumeSession session = await VolumeSession.OpenAsync(dataDirectory, parse.GetValue(passphrase), cache, logger, cancellationToken);
            await using (session)
            await using (Recovery.CatalogBackupService backup = await Recovery.CatalogBackupService.StartAsync(dataDirectory, parse.GetValue(passphrase), logger, cancellationToken))
            {
                FuseMount mount;
                try
                {
                    mount = await FuseMount.MountAsync(target, session.FileSystem, new FuseMountOptions { Logger = logger }, cancellationToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    throw new VolumeException($"Cannot mount {target}: {e.Message}", e);
                }

                await using (mount)
                {
                    Console.WriteLine($"Mounted the volume of {dataDirectory} on {target}; Ctrl-C or SIGTERM unmounts.");
                    try
                    {
                        await mount.Completion.WaitAsync(cancellationToken);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        // The signal asks for the unmount that disposing the mount does.
                    }
                }

                // Closed files still in the write-back journal go to the swarm before the process ends; a second
                // Ctrl-C ends it at once and they stay queued (on disk, in the catalog) for the next mount, as they
                // do at once after 'ugloo unmount --force'.
                backup.SkipFinalBackup = session.FileSystem.LeaveQueuedOnExit;
                await session.FileSystem.DrainJournalAsync(Console.Error, "exiting");

                (int files, long bytes) = session.FileSystem.PendingTotals;
                if (files > 0)
                {
                    Console.WriteLine($"Unmounted {target}; {files} closed files ({ByteSize.Format(bytes)}) are still queued in {dataDirectory} and upload at the next mount.");
                }
                else
                {
                    Console.WriteLine($"Unmounted {target}.");
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary><c>--cache-size SIZE</c> of <c>ugloo mount</c> and <c>ugloo up</c>.</summary>
    internal static Option<string> CacheSizeOption() => new("--cache-size")
    {
        Description = "Local cache of decrypted file content under DATA/cache (default 1G; 0 disables it).",
        HelpName = "SIZE",
    };

    internal static SegmentCacheOptions? CacheOptions(string? value)
    {
        if (value is null)
        {
            return null;
        }

        return ByteSize.TryParse(value, out long bytes) && bytes >= 0
            ? new SegmentCacheOptions { MaxBytes = bytes }
            : throw new UsageException($"--cache-size '{value}' is not a size such as 512M or 2G (0 disables the cache).");
    }
}
