using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// A filesystem mounted through FUSE: as root opens /dev/fuse and mounts it with mount(2); as a normal user
/// has fusermount3 do both and pass the descriptor back. Negotiates INIT and serves requests until disposed. Disposing
/// unmounts (lazily with MNT_DETACH if the mount is busy) and waits for the session to end.
/// </summary>
internal sealed class FuseMount : IAsyncDisposable
{
    private const string DevicePath = "/dev/fuse";

    private readonly FuseSession _session;
    private readonly FuseMountOptions _options;
    private int _disposed;
    private bool _viaHelper;
    private IFileSystem? _fileSystem;

    private FuseMount(string mountPoint, FuseSession session, FuseMountOptions options, FuseInitOut negotiated, string? connection)
    {
        MountPoint = mountPoint;
        _session = session;
        _options = options;
        Negotiated = negotiated;
        Connection = connection;
    }

    public string MountPoint { get; }

    /// <summary>The INIT reply we sent: protocol minor, granted flags, max_write, max_pages.</summary>
    public FuseInitOut Negotiated { get; }

    /// <summary>The connection's id under /sys/fs/fuse/connections (the mount's device minor), if found.</summary>
    public string? Connection { get; }

    /// <summary>Completes when the session ends (unmounted by us or by someone else, or aborted).</summary>
    public Task Completion => _session.Completion;

    /// <summary>Requests being handled right now.</summary>
    public int InFlightCount => _session.InFlightCount;

    public static async Task<FuseMount> MountAsync(string mountPoint, IFileSystem fileSystem, FuseMountOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(mountPoint));
        if (!Directory.Exists(target))
        {
            throw new DirectoryNotFoundException($"mount point {target} does not exist");
        }

        uint uid = LibC.GetEuid();
        uint gid = LibC.GetEgid();
        bool helper = options.UseFusermount ?? uid != 0;
        SafeFileHandle device = helper ? MountWithHelper(target, options, uid) : MountDirectly(target, options, uid, gid);
        var session = new FuseSession(device, fileSystem, options);
        session.Start();
        FuseInitOut negotiated;
        try
        {
            negotiated = await session.Initialized.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _ = LibC.Umount2(target, LibC.MntDetach);
            session.CancelAll();
            session.Dispose();
            throw;
        }

        // Notifications are allowed once INIT is answered.
        fileSystem.UseKernelCache(session);
        var mount = new FuseMount(target, session, options, negotiated, FindConnection(target)) { _viaHelper = helper, _fileSystem = fileSystem };
        Log.FuseMounted(options.Logger, target, negotiated.Minor, negotiated.MaxWrite, negotiated.Flags);
        return mount;
    }

    /// <summary>mount(2) as root: open /dev/fuse and hand its descriptor to the kernel in the mount data.</summary>
    private static SafeFileHandle MountDirectly(string target, FuseMountOptions options, uint uid, uint gid)
    {
        int fd = LibC.Open(DevicePath, LibC.ORdWr | LibC.OCloExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open {DevicePath} (errno {errno}): is the fuse module loaded and the device present?");
        }

        var device = new SafeFileHandle(fd, ownsHandle: true);

        // rootmode is the root's S_IFMT in octal (40000 = S_IFDIR); user_id/group_id own the connection
        // (only they may use it without allow_other). fd= hands the kernel our end of /dev/fuse.
        string data = string.Create(CultureInfo.InvariantCulture, $"fd={fd},rootmode=40000,user_id={uid},group_id={gid}")
            + (options.DefaultPermissions ? ",default_permissions" : string.Empty)
            + (options.AllowOther ? ",allow_other" : string.Empty);
        if (LibC.Mount(options.Source, target, "fuse." + options.SubType, LibC.MsNoSuid | LibC.MsNoDev, data) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            device.Dispose();
            throw new IOException(errno == FuseErrno.EPERM
                ? $"mount({target}) was refused (EPERM): mounting FUSE directly needs root (CAP_SYS_ADMIN)"
                : $"mount({target}) failed with errno {errno}");
        }

        return device;
    }

    /// <summary>
    /// fusermount3 for a normal user: it adds rootmode, user_id and group_id itself; allow_other only when
    /// root asks (a user needs user_allow_other in /etc/fuse.conf for it, which we do not assume).
    /// </summary>
    private static SafeFileHandle MountWithHelper(string target, FuseMountOptions options, uint uid)
    {
        string helperOptions = $"fsname={options.Source},subtype={options.SubType},nosuid,nodev"
            + (options.DefaultPermissions ? ",default_permissions" : string.Empty)
            + (options.AllowOther && uid == 0 ? ",allow_other" : string.Empty);
        return new SafeFileHandle(Fusermount.Mount(target, helperOptions), ownsHandle: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _fileSystem?.UseKernelCache(null);

        // umount(2) sends DESTROY and waits for our reply, so it must not run on a reader thread; it blocks,
        // so not on the caller's either.
        await Task.Run(Unmount).ConfigureAwait(false);

        // Anything still in flight belongs to processes of a lazily detached mount: answer them EINTR.
        _session.CancelAll();
        if (!await Ended(_options.UnmountTimeout).ConfigureAwait(false))
        {
            // The kernel keeps a detached mount alive while files are open on it. Aborting the connection
            // (fusectl) fails those files with ENOTCONN and ends our readers.
            if (Connection is not null && TryAbort(Connection))
            {
                Log.FuseAbortingConnection(_options.Logger, MountPoint, Connection);
                await Ended(_options.UnmountTimeout).ConfigureAwait(false);
            }
        }

        await _session.WaitForHandlersAsync(_options.UnmountTimeout, CancellationToken.None).ConfigureAwait(false);
        _session.Dispose();
        Log.FuseUnmounted(_options.Logger, MountPoint);
    }

    private void Unmount()
    {
        if (_viaHelper && LibC.GetEuid() != 0)
        {
            // umount2 needs CAP_SYS_ADMIN: the setuid helper unmounts for the user who mounted.
            if (!Fusermount.Unmount(MountPoint, lazy: false, out _))
            {
                _ = Fusermount.Unmount(MountPoint, lazy: true, out _);
            }

            return;
        }

        if (LibC.Umount2(MountPoint, 0) == 0)
        {
            return;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == FuseErrno.EBUSY && LibC.Umount2(MountPoint, LibC.MntDetach) == 0)
        {
            Log.FuseLazyUnmount(_options.Logger, MountPoint);
            return;
        }

        if (errno != FuseErrno.EINVAL)
        {
            // EINVAL: no longer a mount point (someone else unmounted it); the session ends by itself.
            Log.FuseUnmountFailed(_options.Logger, MountPoint, errno);
            _ = LibC.Umount2(MountPoint, LibC.MntDetach);
        }
    }

    private async Task<bool> Ended(TimeSpan timeout)
    {
        Task finished = await Task.WhenAny(_session.Completion, Task.Delay(timeout)).ConfigureAwait(false);
        return finished == _session.Completion;
    }

    /// <summary>Writes to /sys/fs/fuse/connections/N/abort (needs fusectl mounted there).</summary>
    private static bool TryAbort(string connection)
    {
        try
        {
            File.WriteAllText($"/sys/fs/fuse/connections/{connection}/abort", "1");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The minor device number of our mount from /proc/self/mountinfo (field 3 is "major:minor"); FUSE
    /// names its connections after it. Mount points there escape space, tab, newline and backslash as octal.
    /// </summary>
    private static string? FindConnection(string mountPoint)
    {
        string? found = null;
        try
        {
            // The last match wins: a mount stacked on the same directory hides the earlier ones.
            foreach (string line in File.ReadLines("/proc/self/mountinfo"))
            {
                string[] fields = line.Split(' ');
                if (fields.Length > 4 && Unescape(fields[4]) == mountPoint)
                {
                    string[] device = fields[2].Split(':');
                    found = device.Length == 2 ? device[1] : null;
                }
            }
        }
        catch (IOException)
        {
            return null;
        }

        return found;
    }

    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
