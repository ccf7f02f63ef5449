namespace Ugloo.Mount.FileSystem;

/// <summary>
/// Who asked: the caller's effective uid/gid and process id, and its umask where the platform passes one
/// (create, mkdir, mknod on Linux). Modes handed to the filesystem are already masked by the kernel; the
/// umask is informational (a filesystem with default ACLs would need it). <paramref name="DropSetId"/> marks a
/// write by a caller without the privilege to keep set-user-ID and set-group-ID bits, when the platform leaves
/// clearing them to the filesystem (Linux does for writes that bypass its page cache: FUSE_WRITE_KILL_SUIDGID).
/// </summary>
internal readonly record struct RequestContext(uint Uid, uint Gid, int Pid, uint Umask, bool DropSetId = false);
