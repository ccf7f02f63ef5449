using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// Mounting and unmounting through <c>fusermount3</c>, the setuid helper of fuse3, for users without
/// CAP_SYS_ADMIN. The helper opens /dev/fuse, mounts it, and sends the descriptor back over the Unix socket
/// named by <c>_FUSE_COMMFD</c> as SCM_RIGHTS ancillary data (libfuse's protocol: one byte of payload).
/// </summary>
internal static class Fusermount
{
    public const string Program = "fusermount3";

    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SolSocket = 1;
    private const int ScmRights = 1;

    /// <summary>Mounts <paramref name="target"/> and returns our end of /dev/fuse.</summary>
    /// <exception cref="IOException">fusermount3 is missing or refused (its message is included).</exception>
    public static int Mount(string target, string options)
    {
        int[] pair = new int[2];
        if (SocketPair(AfUnix, SockStream, 0, pair) != 0)
        {
            throw new IOException($"socketpair failed (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            // The helper's end must survive exec (socketpair without SOCK_CLOEXEC); ours is closed below.
            var start = new ProcessStartInfo(Program) { RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-o");
            start.ArgumentList.Add(options);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(target);
            start.Environment["_FUSE_COMMFD"] = pair[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
            Process helper;
            try
            {
                helper = Process.Start(start) ?? throw new IOException($"cannot start {Program}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new IOException($"mounting as a normal user needs {Program} (Debian package fuse3): {e.Message}", e);
            }

            using (helper)
            {
                _ = LibC.Close(pair[0]);
                pair[0] = -1;
                int fd = ReceiveDescriptor(pair[1]);
                string error = helper.StandardError.ReadToEnd();
                helper.WaitForExit();
                if (fd < 0)
                {
                    // Debian makes /dev/fuse 0666; some images make it 0600, which leaves only root able to mount.
                    string hint = error.Contains("/dev/fuse", StringComparison.Ordinal) && error.Contains("Permission denied", StringComparison.Ordinal)
                        ? " (/dev/fuse must be readable and writable by users, mode 0666 as Debian ships it; or mount as root)"
                        : string.Empty;
                    throw new IOException($"{Program} did not mount {target}: {error.Trim()}{hint}");
                }

                return fd;
            }
        }
        finally
        {
            if (pair[0] >= 0)
            {
                _ = LibC.Close(pair[0]);
            }

            _ = LibC.Close(pair[1]);
        }
    }

    /// <summary>Unmounts with <c>fusermount3 -u</c> (lazily with <paramref name="lazy"/>); true on success.</summary>
    public static bool Unmount(string target, bool lazy, out string error)
    {
        var start = new ProcessStartInfo(Program) { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-u");
        if (lazy)
        {
            start.ArgumentList.Add("-z");
        }

        start.ArgumentList.Add("--");
        start.ArgumentList.Add(target);
        try
        {
            using Process helper = Process.Start(start)!;
            error = helper.StandardError.ReadToEnd().Trim();
            helper.WaitForExit();
            return helper.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>recvmsg(2) of one byte with an SCM_RIGHTS control message; the descriptor, or -1.</summary>
    private static int ReceiveDescriptor(int socket)
    {
        // x86-64 / arm64 LP64 layouts: struct iovec { void *base; size_t len; } (16 bytes); struct msghdr
        // { void *name; socklen_t namelen (+4 pad); struct iovec *iov; size_t iovlen; void *control;
        // size_t controllen; int flags; } (56 bytes); struct cmsghdr { size_t len; int level; int type; }
        // (16 bytes) followed by the int descriptor; CMSG_SPACE(sizeof(int)) = 24, CMSG_LEN(sizeof(int)) = 20.
        const int MsgHdrSize = 56;
        const int ControlSize = 24;
        nint buffer = Marshal.AllocHGlobal(1);
        nint iov = Marshal.AllocHGlobal(16);
        nint control = Marshal.AllocHGlobal(ControlSize);
        nint msg = Marshal.AllocHGlobal(MsgHdrSize);
        try
        {
            for (int i = 0; i < ControlSize; i++)
            {
                Marshal.WriteByte(control, i, 0);
            }

            for (int i = 0; i < MsgHdrSize; i++)
            {
                Marshal.WriteByte(msg, i, 0);
            }

            Marshal.WriteIntPtr(iov, 0, buffer);
            Marshal.WriteInt64(iov, 8, 1);
            Marshal.WriteIntPtr(msg, 16, iov);
            Marshal.WriteInt64(msg, 24, 1);
            Marshal.WriteIntPtr(msg, 32, control);
            Marshal.WriteInt64(msg, 40, ControlSize);
            nint received;
            do
            {
                received = RecvMsg(socket, msg, 0);
            }
            while (received < 0 && Marshal.GetLastPInvokeError() == 4); // EINTR

            if (received <= 0 || Marshal.ReadInt64(msg, 40) < 20)
            {
                return -1;
            }

            return Marshal.ReadInt32(control, 8) == SolSocket && Marshal.ReadInt32(control, 12) == ScmRights
                ? Marshal.ReadInt32(control, 16)
                : -1;
        }
        finally
        {
            Marshal.FreeHGlobal(msg);
            Marshal.FreeHGlobal(control);
            Marshal.FreeHGlobal(iov);
            Marshal.FreeHGlobal(buffer);
        }
    }

    [DllImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static extern int SocketPair(int domain, int type, int protocol, int[] sv);

    [DllImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static extern nint RecvMsg(int socket, nint msg, int flags);
}
