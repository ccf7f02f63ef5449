using System.Runtime.InteropServices;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// The few libc calls the binding needs, as plain [DllImport] with blittable signatures: arrays are pinned
/// by the marshaller, so no unsafe code is needed (the project builds without AllowUnsafeBlocks, which
/// [LibraryImport]'s generated code would require). errno comes from <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static class LibC
{
    public const int ORdWr = 2;
    public const int OCloExec = 0x80000; // 02000000 (asm-generic/fcntl.h; same on x86-64 and arm64)
    public const ulong MsNoSuid = 2;
    public const ulong MsNoDev = 4;
    public const int MntDetach = 2;

    private const string Library = "libc";

    [DllImport(Library, EntryPoint = "open", SetLastError = true)]
    public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport(Library, EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    [DllImport(Library, EntryPoint = "read", SetLastError = true)]
    public static extern nint Read(int fd, byte[] buffer, nint count);

    [DllImport(Library, EntryPoint = "write", SetLastError = true)]
    public static extern nint Write(int fd, byte[] buffer, nint count);

    [DllImport(Library, EntryPoint = "mount", SetLastError = true)]
    public static extern int Mount(
        [MarshalAs(UnmanagedType.LPUTF8Str)] string source,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string target,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string fileSystemType,
        ulong flags,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string data);

    [DllImport(Library, EntryPoint = "umount2", SetLastError = true)]
    public static extern int Umount2([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int flags);

    [DllImport(Library, EntryPoint = "getxattr", SetLastError = true)]
    public static extern nint GetXattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, byte[] value, nint size);

    [DllImport(Library, EntryPoint = "setxattr", SetLastError = true)]
    public static extern int SetXattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, byte[] value, nint size, int flags);

    [DllImport(Library, EntryPoint = "geteuid")]
    public static extern uint GetEuid();

    [DllImport(Library, EntryPoint = "getegid")]
    public static extern uint GetEgid();
}
