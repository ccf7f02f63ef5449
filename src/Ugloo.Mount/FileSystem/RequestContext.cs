namespace Ugloo.Mount.FileSystem;

/// <summary>
/// Who asked: the caller's effective uid/gid and process id, and its umask where the platform passes one
/// (create, mkdir, mknod on Linux). Modes handed to the filesystem are already masked by the kernel; the
/// umask is informational (a filesystem with default ACLs would need it).
/// </summary>
internal readonly record struct RequestContext(uint Uid, uint Gid, int Pid, uint Umask);
