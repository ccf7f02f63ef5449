namespace Ugloo.Mount.FileSystem;

/// <summary>
/// An open handle and the caching the filesystem allows for it. <paramref name="DirectIo"/>: bypass the
/// page cache (every read and write reaches the filesystem; needed for content that changes behind the
/// platform's back). <paramref name="KeepCache"/>: keep cached pages from earlier opens (right for immutable
/// content). <paramref name="WriteMostly"/>: the handle writes content nobody has read yet (a new or emptied
/// file, or one opened write-only), so caching its writes buys nothing: the platform may bypass its cache for
/// this handle where it can do so without breaking anything else (on Linux, shared memory maps).
/// </summary>
internal readonly record struct OpenResult(ulong Handle, bool DirectIo = false, bool KeepCache = false, bool WriteMostly = false);
