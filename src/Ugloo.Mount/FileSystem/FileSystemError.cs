namespace Ugloo.Mount.FileSystem;

/// <summary>
/// Why a filesystem operation failed, named after the POSIX condition it stands for. Platform adapters
/// translate it: the FUSE session to a Linux errno (<c>FuseErrno</c>), a WinFsp adapter to an NTSTATUS.
/// </summary>
internal enum FileSystemError
{
    /// <summary>EPERM: the operation is not permitted on this kind of node (hard link to a directory).</summary>
    NotPermitted,

    /// <summary>ENOENT: no such name or node.</summary>
    NotFound,

    /// <summary>EIO: the backing store failed.</summary>
    IOError,

    /// <summary>EBADF: the handle is not open (or not open for this kind of access).</summary>
    BadHandle,

    /// <summary>EACCES: permission denied.</summary>
    AccessDenied,

    /// <summary>EEXIST: the name already exists.</summary>
    Exists,

    /// <summary>EXDEV: the operation would cross filesystems.</summary>
    CrossDevice,

    /// <summary>ENOTDIR: a directory was required.</summary>
    NotADirectory,

    /// <summary>EISDIR: the node is a directory and the operation needs something else.</summary>
    IsADirectory,

    /// <summary>EINVAL: an argument is invalid (moving a directory into itself, unknown flags).</summary>
    InvalidArgument,

    /// <summary>EFBIG: the file would grow past the largest size supported.</summary>
    FileTooLarge,

    /// <summary>ENOSPC: no space left.</summary>
    NoSpace,

    /// <summary>EROFS: the filesystem (or this view of it) is read-only.</summary>
    ReadOnly,

    /// <summary>EMLINK: too many hard links.</summary>
    TooManyLinks,

    /// <summary>ERANGE: a value is larger than the caller's buffer or the supported limit.</summary>
    OutOfRange,

    /// <summary>ENAMETOOLONG: a name is longer than 255 bytes of UTF-8.</summary>
    NameTooLong,

    /// <summary>ENOSYS: the filesystem does not implement this operation at all.</summary>
    NotImplemented,

    /// <summary>ENOTEMPTY: the directory is not empty.</summary>
    NotEmpty,

    /// <summary>ENODATA: the extended attribute does not exist.</summary>
    NoData,

    /// <summary>EOPNOTSUPP: the operation or this variant of it is not supported (non-user xattrs).</summary>
    NotSupported,

    /// <summary>E2BIG: an extended attribute value is too large.</summary>
    ValueTooLarge,

    /// <summary>ESTALE: the node id no longer refers to a node.</summary>
    Stale,

    /// <summary>EINTR: the request was interrupted before it finished.</summary>
    Interrupted,
}
