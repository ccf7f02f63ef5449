namespace Ugloo.Mount.FileSystem;

/// <summary>
/// The sink a filesystem fills in <see cref="IFileSystem.ReadDirAsync"/>. Each entry carries the cookie
/// (<c>nextOffset</c>) that resumes the listing right after it; cookies must stay valid while entries are
/// added or removed elsewhere in the directory. <see cref="TryAdd"/> returns false when the platform's buffer
/// is full: stop there, that entry was not taken.
/// </summary>
internal abstract class DirectoryListing
{
    /// <summary>
    /// True when the platform wants each entry's attributes too (FUSE READDIRPLUS). Then pass
    /// <c>entry</c>, and every entry taken (other than "." and "..") counts one lookup reference, exactly
    /// like <see cref="IFileSystem.LookupAsync"/>.
    /// </summary>
    public abstract bool WantsAttributes { get; }

    public abstract bool TryAdd(string name, ulong node, NodeType type, long nextOffset, EntryInfo? entry);
}
