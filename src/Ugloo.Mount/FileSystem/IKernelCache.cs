namespace Ugloo.Mount.FileSystem;

/// <summary>
/// The platform's cache of names and attributes (the Linux kernel's dentries and inode attributes under FUSE),
/// for a filesystem to correct when something changed that did not go through it: a version committed by
/// another process. Every call is safe from any thread that is not handling a request (the kernel may wait
/// for a request on the same directory to finish), and tolerate names and nodes the cache does not hold.
/// <see cref="InvalidateAttributes"/> is also safe inside a request's handler: dropping attributes takes no lock
/// a request could hold.
/// </summary>
internal interface IKernelCache
{
    /// <summary>Forgets <paramref name="name"/> in directory <paramref name="parent"/>: the next use looks it up again.</summary>
    public void InvalidateEntry(ulong parent, string name);

    /// <summary>Forgets <paramref name="node"/>'s attributes (not its cached content): the next stat asks again.</summary>
    public void InvalidateAttributes(ulong node);

    /// <summary>
    /// Forgets the cached bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of
    /// file <paramref name="node"/> (a length of 0: to its end), and its attributes. Never from a request's handler:
    /// the kernel may hold a lock on one of those pages until that request is answered.
    /// </summary>
    public void InvalidateContent(ulong node, long offset, long length);
}
