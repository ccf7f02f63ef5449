namespace Ugloo.Mount.FileSystem;

/// <summary>
/// The platform's cache of names and attributes (the Linux kernel's dentries and inode attributes under FUSE),
/// for a filesystem to correct when something changed that did not go through it: a version committed by
/// another process. Both calls are safe from any thread that is not handling a request (the kernel may wait
/// for a request on the same directory to finish), and tolerate names and nodes the cache does not hold.
/// </summary>
internal interface IKernelCache
{
    /// <summary>Forgets <paramref name="name"/> in directory <paramref name="parent"/>: the next use looks it up again.</summary>
    public void InvalidateEntry(ulong parent, string name);

    /// <summary>Forgets <paramref name="node"/>'s attributes (not its cached content): the next stat asks again.</summary>
    public void InvalidateAttributes(ulong node);
}
