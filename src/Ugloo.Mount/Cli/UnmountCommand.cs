using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Ugloo.Engine;
using Ugloo.Mount.Fuse;
using Ugloo.Mount.Volume;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Cli;

/// <summary>
/// <c>ugloo unmount MOUNTPOINT [--lazy] [--force]</c>: umount2(2) of a volume mounted with <c>ugloo mount</c>,
/// which then exits 0 by itself. It first waits, showing progress, until the mount's write-back journal is
/// empty (read from the root's <c>user.ugloo.pending</c> attribute); <c>--force</c> unmounts at once, the daemon
/// exits without uploading (told through the root's <c>user.ugloo.unmount</c>), and the queued files upload at
/// the next mount. A busy mount is refused unless <c>--lazy</c> detaches it (MNT_DETACH).
/// </summary>
internal static class UnmountCommand
{
    /// <summary>How long <c>--force</c> waits for the daemon to take its word before it unmounts anyway.</summary>
    private static readonly TimeSpan s_forceAnswerTimeout = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "Where the volume is mounted." };
        var lazy = new Option<bool>("--lazy") { Description = "Detach a busy mount now; it goes away when its last open file closes." };
        var force = new Option<bool>("--force") { Description = "Do not wait for closed files to reach the swarm; they stay queued and upload at the next mount." };
        var command = new Command("unmount", "Unmount a volume mounted with 'ugloo mount' once its closed files are in the swarm (its process then exits).") { mountPoint, lazy, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string target = Path.GetFullPath(parse.GetValue(mountPoint)!);
            if (OperatingSystem.IsWindows())
            {
                throw new VolumeException("ugloo unmount is for Linux mounts.");
            }

            bool lazyUnmount = parse.GetValue(lazy);
            if (!parse.GetValue(force))
            {
                await WaitForUploadsAsync(target, cancellationToken);
            }
            else
            {
                // Tells the daemon not to upload the journal once unmounted (it would wait for the swarm, which may
                // be down); what is queued stays on disk. The attribute is a round trip to the daemon: one that is hung
                // or stopped never answers, and --force must unmount all the same.
                Task<int> told = Task.Run(() => TellDaemon(target, VolumeFileSystem.LeaveQueuedValue) ? 0 : Marshal.GetLastPInvokeError());
                if (await Task.WhenAny(told, Task.Delay(s_forceAnswerTimeout, cancellationToken)) != told)
                {
                    // Our own unanswered request keeps the mount busy, so only a detach can take it away now.
                    Console.Error.WriteLine($"The daemon of {target} did not answer within {s_forceAnswerTimeout.TotalSeconds:0} s; detaching the mount anyway (if the daemon runs on, it uploads what is queued before it exits).");
                    lazyUnmount = true;
                }
                else if (await told is int errno && errno != 0)
                {
                    Console.Error.WriteLine($"Could not tell the daemon of {target} to leave its queue (errno {errno}); it uploads what is queued before it exits.");
                }
            }

            try
            {
                Unmount(target, lazyUnmount);
            }
            catch (VolumeException) when (parse.GetValue(force))
            {
                // Still mounted: a later stop must upload as usual.
                _ = TellDaemon(target, VolumeFileSystem.DrainValue);
                throw;
            }

            Console.WriteLine($"Unmounted {target}.");
            return 0;
        });
        return command;
    }

    private static bool TellDaemon(string target, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        return LibC.SetXattr(target, VolumeFileSystem.UnmountAttribute, bytes, bytes.Length, 0) == 0;
    }

    private static void Unmount(string target, bool lazy)
    {
        // A normal user's mount (made by fusermount3) is unmounted by the same setuid helper.
        if (LibC.GetEuid() != 0)
        {
            if (!Fusermount.Unmount(target, lazy, out string helperError))
            {
                throw new VolumeException($"Cannot unmount {target}: {helperError}");
            }
        }
        else if (LibC.Umount2(target, lazy ? LibC.MntDetach : 0) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new VolumeException(errno switch
            {
                FuseErrno.EBUSY => $"{target} is busy (a process has a file open or its working directory there); close it, or use --lazy.",
                FuseErrno.EINVAL => $"{target} is not a mount point.",
                FuseErrno.EPERM => $"Not permitted to unmount {target}: run as root.",
                _ => $"Cannot unmount {target} (errno {errno}).",
            });
        }
    }

    private static async Task WaitForUploadsAsync(string target, CancellationToken cancellationToken)
    {
        string? last = null;
        while (ReadPending(target) is (int files, long bytes) && files > 0)
        {
            string line = $"Waiting for {files} closed files ({ByteSize.Format(bytes)}) to reach the swarm (Ctrl-C to stop waiting; --force unmounts now and they upload at the next mount)";
            if (line != last)
            {
                Console.Error.WriteLine(line);
                last = line;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    /// <summary>The journal's files and bytes, or null when <paramref name="target"/> is not an Ugloo mount (or an older one).</summary>
    private static (int Files, long Bytes)? ReadPending(string target)
    {
        byte[] buffer = new byte[64];
        nint length = LibC.GetXattr(target, VolumeFileSystem.PendingAttribute, buffer, buffer.Length);
        if (length <= 0)
        {
            return null;
        }

        string[] parts = Encoding.UTF8.GetString(buffer, 0, (int)length).Split(' ');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int files)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long bytes)
            ? (files, bytes)
            : null;
    }
}
