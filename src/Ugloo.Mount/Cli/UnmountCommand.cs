using System.CommandLine;
using System.Runtime.InteropServices;
using Ugloo.Mount.Fuse;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Cli;

/// <summary>
/// <c>ugloo unmount MOUNTPOINT [--lazy]</c>: umount2(2) of a volume mounted with <c>ugloo mount</c>, which
/// then exits 0 by itself. A busy mount is refused unless <c>--lazy</c> detaches it (MNT_DETACH).
/// </summary>
internal static class UnmountCommand
{
    public static Command Create()
    {
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "Where the volume is mounted." };
        var lazy = new Option<bool>("--lazy") { Description = "Detach a busy mount now; it goes away when its last open file closes." };
        var command = new Command("unmount", "Unmount a volume mounted with 'ugloo mount' (its process then exits).") { mountPoint, lazy };
        command.SetAction(parse =>
        {
            string target = Path.GetFullPath(parse.GetValue(mountPoint)!);
            if (OperatingSystem.IsWindows())
            {
                throw new VolumeException("ugloo unmount is for Linux mounts.");
            }

            if (LibC.Umount2(target, parse.GetValue(lazy) ? LibC.MntDetach : 0) != 0)
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

            Console.WriteLine($"Unmounted {target}.");
            return 0;
        });
        return command;
    }
}
