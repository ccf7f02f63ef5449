namespace Ugloo.Mount.Fuse;

/// <summary>
/// INIT request/reply capability flags (fuse_init_in.flags / fuse_init_out.flags; bits 32..63 travel in
/// flags2 when FUSE_INIT_EXT is set, 7.36). The minor that introduced each flag is in its comment.
/// </summary>
[Flags]
internal enum FuseInitFlags : ulong
{
    None = 0,
    AsyncRead = 1UL << 0,          // 7.0: reads may be sent in parallel / out of order (readahead)
    PosixLocks = 1UL << 1,         // 7.7
    FileOps = 1UL << 2,
    AtomicOTrunc = 1UL << 3,       // 7.9: O_TRUNC is handled by OPEN, not a separate SETATTR
    ExportSupport = 1UL << 4,      // 7.10: lookups of "." and ".."
    BigWrites = 1UL << 5,          // 7.9: writes larger than 4 KiB
    DontMask = 1UL << 6,           // 7.12
    SpliceWrite = 1UL << 7,        // 7.14
    SpliceMove = 1UL << 8,         // 7.14
    SpliceRead = 1UL << 9,         // 7.14
    FlockLocks = 1UL << 10,        // 7.17
    HasIoctlDir = 1UL << 11,       // 7.18
    AutoInvalData = 1UL << 12,     // 7.20
    DoReadDirPlus = 1UL << 13,     // 7.21
    ReadDirPlusAuto = 1UL << 14,   // 7.21
    AsyncDio = 1UL << 15,          // 7.22
    WritebackCache = 1UL << 16,    // 7.23
    NoOpenSupport = 1UL << 17,     // 7.23
    ParallelDirOps = 1UL << 18,    // 7.25: lookups and readdir of one directory run in parallel
    HandleKillPriv = 1UL << 19,    // 7.26
    PosixAcl = 1UL << 20,          // 7.26
    AbortError = 1UL << 21,        // 7.27
    MaxPages = 1UL << 22,          // 7.28: fuse_init_out.max_pages is valid
    CacheSymlinks = 1UL << 23,     // 7.28
    NoOpenDirSupport = 1UL << 24,  // 7.29
    ExplicitInvalData = 1UL << 25, // 7.30
    MapAlignment = 1UL << 26,      // 7.31
    Submounts = 1UL << 27,         // 7.32
    HandleKillPrivV2 = 1UL << 28,  // 7.33
    SetXattrExt = 1UL << 29,       // 7.33
    InitExt = 1UL << 30,           // 7.36
    InitReserved = 1UL << 31,
    SecurityCtx = 1UL << 32,       // 7.36
    HasInodeDax = 1UL << 33,       // 7.36
    HasExpireOnly = 1UL << 35,     // 7.38
    DirectIoAllowMmap = 1UL << 36, // 7.39: files opened with FOPEN_DIRECT_IO may still be mapped shared
}
