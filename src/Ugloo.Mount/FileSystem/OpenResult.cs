namespace Ugloo.Mount.FileSystem;

/// <summary>
/// An open handle and the caching the filesystem allows for it. <paramref name="DirectIo"/>: bypass the
/// page cache (every read and write reaches the filesystem; needed for content that changes behind the
/// platform's back). <paramref name="KeepCache"/>: keep cached pages from earlier opens (right for immutable
/// content). <paramref name="WriteMostly"/>: the handle mostly writes (a new or emptied file, or one opened
/// write-only, which cannot read back what it wrote), so caching its writes buys this handle nothing: the
/// platform may bypass its cache for it where it can keep other handles' cached reads and maps true.
/// </summary>
internal readonly record struct OpenResult(ulong Handle, bool DirectIo = false, bool KeepCache = false, bool WriteMostly = false);
