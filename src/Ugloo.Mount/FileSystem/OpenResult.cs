namespace Ugloo.Mount.FileSystem;

/// <summary>
/// An open handle and the caching the filesystem allows for it. <paramref name="DirectIo"/>: bypass the
/// page cache (every read and write reaches the filesystem; needed for content that changes behind the
/// platform's back). <paramref name="KeepCache"/>: keep cached pages from earlier opens (right for immutable
/// content).
/// </summary>
internal readonly record struct OpenResult(ulong Handle, bool DirectIo = false, bool KeepCache = false);
