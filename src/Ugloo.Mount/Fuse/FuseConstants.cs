namespace Ugloo.Mount.Fuse;

/// <summary>Numbers of linux/fuse.h (7.38) and of the Linux ABI that the session needs.</summary>
internal static class FuseConstants
{
    /// <summary>FUSE_KERNEL_VERSION: the major we speak.</summary>
    public const uint KernelVersion = 7;

    /// <summary>FUSE_KERNEL_MINOR_VERSION of the header this binding is written against.</summary>
    public const uint KernelMinorVersion = 38;

    /// <summary>
    /// Oldest minor we accept: 7.31 (Linux 5.4). Every struct we use has had its current size since 7.23
    /// and max_pages since 7.28; requiring 7.31 keeps us off the FUSE_COMPAT_* layouts entirely.
    /// </summary>
    public const uint MinimumMinorVersion = 31;

    /// <summary>FUSE_ROOT_ID.</summary>
    public const ulong RootId = 1;

    /// <summary>FUSE_MIN_READ_BUFFER: /dev/fuse refuses reads into smaller buffers.</summary>
    public const int MinReadBuffer = 8192;

    /// <summary>
    /// FUSE_INT_REQ_BIT (kernel fs/fuse/fuse_i.h): set in the unique of an INTERRUPT request, so its
    /// (optional) reply can never be confused with the reply to the request it interrupts.
    /// </summary>
    public const ulong InterruptRequestBit = 1;

    // fuse_setattr_in.valid (FATTR_*); 7.1, *_NOW 7.9, CTIME 7.23, KILL_SUIDGID 7.33.
    public const uint FattrMode = 1 << 0;
    public const uint FattrUid = 1 << 1;
    public const uint FattrGid = 1 << 2;
    public const uint FattrSize = 1 << 3;
    public const uint FattrAtime = 1 << 4;
    public const uint FattrMtime = 1 << 5;
    public const uint FattrFh = 1 << 6;
    public const uint FattrAtimeNow = 1 << 7;
    public const uint FattrMtimeNow = 1 << 8;
    public const uint FattrLockOwner = 1 << 9;
    public const uint FattrCtime = 1 << 10;

    // fuse_open_out.open_flags (FOPEN_*); 7.2 for the first two.
    public const uint FopenDirectIo = 1 << 0;
    public const uint FopenKeepCache = 1 << 1;
    public const uint FopenNonSeekable = 1 << 2;
    public const uint FopenCacheDir = 1 << 3;

    /// <summary>fuse_getattr_in.getattr_flags FUSE_GETATTR_FH (7.9): fh is valid (fstat).</summary>
    public const uint GetAttrFh = 1 << 0;

    /// <summary>
    /// fuse_write_in.write_flags FUSE_WRITE_KILL_SUIDGID (bit 2; 7.31 as KILL_PRIV, renamed 7.33): the writer may
    /// not keep set-user-ID/set-group-ID bits. Sent with every write that bypasses the page cache by a caller
    /// without CAP_FSETID, because that path does not clear the bits in the kernel.
    /// </summary>
    public const uint WriteKillSuidGid = 1 << 2;

    /// <summary>fuse_fsync_in.fsync_flags FUSE_FSYNC_FDATASYNC.</summary>
    public const uint FsyncFdataSync = 1 << 0;

    // Linux open(2) flags carried in fuse_open_in.flags / fuse_create_in.flags (asm-generic/fcntl.h).
    public const uint OAccessMode = 3;
    public const uint OWriteOnly = 1;
    public const uint OReadWrite = 2;
    public const uint OExclusive = 0x80;   // 0200
    public const uint OTruncate = 0x200;   // 01000
    public const uint OAppend = 0x400;     // 02000

    // S_IFMT and the file types (sys/stat.h); DT_* for dirents are S_IF* >> 12.
    public const uint SIfmt = 0xF000;
    public const uint SIfSock = 0xC000;
    public const uint SIfLnk = 0xA000;
    public const uint SIfReg = 0x8000;
    public const uint SIfBlk = 0x6000;
    public const uint SIfDir = 0x4000;
    public const uint SIfChr = 0x2000;
    public const uint SIfIfo = 0x1000;

    // renameat2(2) flags carried in fuse_rename2_in.flags.
    public const uint RenameNoReplace = 1;
    public const uint RenameExchange = 2;
    public const uint RenameWhiteout = 4;

    // setxattr(2) flags.
    public const uint XattrCreate = 1;
    public const uint XattrReplace = 2;
}
