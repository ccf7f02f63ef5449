using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// Linux errno values (asm-generic/errno-base.h and errno.h; identical on x86-64 and arm64) and the
/// mapping from <see cref="FileSystemError"/>. A FUSE reply carries the negated errno in
/// fuse_out_header.error.
/// </summary>
internal static class FuseErrno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int E2BIG = 7;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENODEV = 19;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int EMLINK = 31;
    public const int ERANGE = 34;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int ENODATA = 61;
    public const int EPROTO = 71;
    public const int EOPNOTSUPP = 95;
    public const int ENOTCONN = 107;
    public const int ESTALE = 116;

    public static int FromError(FileSystemError error) => error switch
    {
        FileSystemError.NotPermitted => EPERM,
        FileSystemError.NotFound => ENOENT,
        FileSystemError.IOError => EIO,
        FileSystemError.BadHandle => EBADF,
        FileSystemError.AccessDenied => EACCES,
        FileSystemError.Exists => EEXIST,
        FileSystemError.CrossDevice => EXDEV,
        FileSystemError.NotADirectory => ENOTDIR,
        FileSystemError.IsADirectory => EISDIR,
        FileSystemError.InvalidArgument => EINVAL,
        FileSystemError.FileTooLarge => EFBIG,
        FileSystemError.NoSpace => ENOSPC,
        FileSystemError.ReadOnly => EROFS,
        FileSystemError.TooManyLinks => EMLINK,
        FileSystemError.OutOfRange => ERANGE,
        FileSystemError.NameTooLong => ENAMETOOLONG,
        FileSystemError.NotImplemented => ENOSYS,
        FileSystemError.NotEmpty => ENOTEMPTY,
        FileSystemError.NoData => ENODATA,
        FileSystemError.NotSupported => EOPNOTSUPP,
        FileSystemError.ValueTooLarge => E2BIG,
        FileSystemError.Stale => ESTALE,
        FileSystemError.Interrupted => EINTR,
        _ => EIO,
    };
}
