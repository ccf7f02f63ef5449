namespace Ugloo.Mount.Fuse;

/// <summary>
/// <c>enum fuse_opcode</c> of linux/fuse.h; the comment on each gives the protocol minor that added it.
/// </summary>
internal enum FuseOpcode : uint
{
    Lookup = 1,          // 7.0
    Forget = 2,          // 7.0, no reply
    GetAttr = 3,         // 7.0
    SetAttr = 4,         // 7.1
    ReadLink = 5,        // 7.0
    Symlink = 6,         // 7.1
    Mknod = 8,           // 7.1
    Mkdir = 9,           // 7.1
    Unlink = 10,         // 7.1
    Rmdir = 11,          // 7.1
    Rename = 12,         // 7.1
    Link = 13,           // 7.1
    Open = 14,           // 7.1
    Read = 15,           // 7.1
    Write = 16,          // 7.1
    StatFs = 17,         // 7.0
    Release = 18,        // 7.1
    Fsync = 20,          // 7.1
    SetXattr = 21,       // 7.1
    GetXattr = 22,       // 7.1
    ListXattr = 23,      // 7.1
    RemoveXattr = 24,    // 7.1
    Flush = 25,          // 7.1
    Init = 26,           // 7.0
    OpenDir = 27,        // 7.1
    ReadDir = 28,        // 7.1
    ReleaseDir = 29,     // 7.1
    FsyncDir = 30,       // 7.2
    GetLk = 31,          // 7.7
    SetLk = 32,          // 7.7
    SetLkW = 33,         // 7.7
    Access = 34,         // 7.3
    Create = 35,         // 7.3
    Interrupt = 36,      // 7.7
    Bmap = 37,           // 7.8
    Destroy = 38,        // 7.8
    Ioctl = 39,          // 7.11
    Poll = 40,           // 7.11
    NotifyReply = 41,    // 7.15
    BatchForget = 42,    // 7.16, no reply
    Fallocate = 43,      // 7.19
    ReadDirPlus = 44,    // 7.21
    Rename2 = 45,        // 7.23
    Lseek = 46,          // 7.24
    CopyFileRange = 47,  // 7.28
    SetupMapping = 48,   // 7.31
    RemoveMapping = 49,  // 7.31
    SyncFs = 50,         // 7.34
    TmpFile = 51,        // 7.37
}
