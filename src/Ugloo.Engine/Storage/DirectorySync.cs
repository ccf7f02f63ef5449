using System.Runtime.InteropServices;

namespace Ugloo.Engine.Storage;

/// <summary>
/// Makes a directory's entries durable. A rename is only crash-safe once the directory that holds the new
/// name is fsynced (POSIX fsync(2): "calling fsync() on a file does not necessarily ensure that the entry in
/// the directory containing the file has also reached disk"). .NET has no API for this: File.OpenHandle
/// refuses directories (UnauthorizedAccessException, checked on .NET 10), so on Unix we call open(2) and
/// fsync(2) from libc. The signatures are blittable apart from the UTF-8 path, which DllImport marshals
/// without the unsafe code that a [LibraryImport] stub would need (the build keeps AllowUnsafeBlocks off).
/// On Windows NTFS journals metadata and offers no directory flush, so this is a no-op there.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;

    // O_CLOEXEC keeps the descriptor out of child processes; 0x80000 on Linux (x64 and arm64 alike). Other
    // Unixes use other values, so they open without it: the descriptor lives for two syscalls.
    private const int LinuxCloseOnExec = 0x80000;

    // fsync on a directory is refused with EINVAL by a few filesystems (some FUSE and network mounts): they
    // have nothing to flush or cannot, and failing every store there would make the node useless.
    private const int InvalidArgument = 22;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int flags = OperatingSystem.IsLinux() ? ReadOnly | LinuxCloseOnExec : ReadOnly;
        int descriptor = NativeMethods.Open(directory, flags);
        if (descriptor < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot open directory '{directory}' to flush it (errno {error}).", error);
        }

        try
        {
            if (NativeMethods.FSync(descriptor) != 0)
            {
                int error = Marshal.GetLastPInvokeError();
                if (error != InvalidArgument)
                {
                    throw new IOException($"Cannot flush directory '{directory}' to disk (errno {error}).", error);
                }
            }
        }
        finally
        {
            _ = NativeMethods.Close(descriptor);
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int FSync(int descriptor);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int descriptor);
    }
}
