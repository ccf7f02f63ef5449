namespace Ugloo.Mount.FileSystem;

/// <summary>
/// A filesystem as the platform adapters (FUSE on Linux, WinFsp on Windows) see it: inode based, every
/// node named by a 64-bit id (<see cref="RootNode"/> is the root; 0 is never a node), open files and
/// directories named by 64-bit handles the filesystem chooses.
/// </summary>
/// <remarks>
/// <para>Errors: throw <see cref="FileSystemException"/> with the <see cref="FileSystemError"/>; the one
/// expected miss on a hot path, a lookup of a name that does not exist, is a null result instead. Honour the
/// <see cref="CancellationToken"/>: it fires when the caller is interrupted (a signal on Linux) or the
/// mount goes away, and the adapter then answers "interrupted".</para>
/// <para>Lookup references: every <see cref="EntryInfo"/> returned (lookup, create, mkdir, mknod,
/// symlink, link, and readdir-plus entries) adds one reference to the node; <see cref="ForgetAsync"/>
/// drops them. A node that is unlinked, closed and forgotten may be freed.</para>
/// <para>Permissions: the Linux adapter mounts with default_permissions, so the kernel checks modes before
/// calling; a filesystem need not repeat those checks.</para>
/// <para>Memory handed in (names, write data, read buffers) belongs to the adapter and is valid only until
/// the returned task completes.</para>
/// </remarks>
internal interface IFileSystem
{
    /// <summary>The root directory's node id.</summary>
    public const ulong RootNode = 1;

    /// <summary>Resolves <paramref name="name"/> in directory <paramref name="parent"/>; null if absent.</summary>
    public ValueTask<EntryInfo?> LookupAsync(RequestContext context, ulong parent, string name, CancellationToken cancellationToken);

    /// <summary>Drops <paramref name="count"/> lookup references (FUSE FORGET); never fails.</summary>
    public ValueTask ForgetAsync(ulong node, ulong count, CancellationToken cancellationToken);

    /// <summary>stat(2); <paramref name="handle"/> is given when the caller used fstat on an open file.</summary>
    public ValueTask<NodeAttributes> GetAttrAsync(RequestContext context, ulong node, ulong? handle, CancellationToken cancellationToken);

    /// <summary>chmod, chown, truncate, utimensat; returns the attributes after the change.</summary>
    public ValueTask<NodeAttributes> SetAttrAsync(RequestContext context, ulong node, ulong? handle, SetAttrChanges changes, CancellationToken cancellationToken);

    public ValueTask<string> ReadLinkAsync(RequestContext context, ulong node, CancellationToken cancellationToken);

    public ValueTask<EntryInfo> SymlinkAsync(RequestContext context, ulong parent, string name, string target, CancellationToken cancellationToken);

    /// <summary>Creates a special node (fifo, device, socket) or an empty regular file.</summary>
    public ValueTask<EntryInfo> MknodAsync(RequestContext context, ulong parent, string name, NodeType type, uint permissions, uint deviceNumber, CancellationToken cancellationToken);

    public ValueTask<EntryInfo> MkdirAsync(RequestContext context, ulong parent, string name, uint permissions, CancellationToken cancellationToken);

    public ValueTask UnlinkAsync(RequestContext context, ulong parent, string name, CancellationToken cancellationToken);

    public ValueTask RmdirAsync(RequestContext context, ulong parent, string name, CancellationToken cancellationToken);

    /// <summary>Moves a name, atomically replacing an existing target unless <paramref name="flags"/> say otherwise.</summary>
    public ValueTask RenameAsync(RequestContext context, ulong parent, string name, ulong newParent, string newName, RenameFlags flags, CancellationToken cancellationToken);

    /// <summary>Adds a hard link to <paramref name="node"/> named <paramref name="newName"/> in <paramref name="newParent"/>.</summary>
    public ValueTask<EntryInfo> LinkAsync(RequestContext context, ulong node, ulong newParent, string newName, CancellationToken cancellationToken);

    public ValueTask<OpenResult> OpenAsync(RequestContext context, ulong node, OpenFlags flags, CancellationToken cancellationToken);

    /// <summary>Creates and opens a regular file; if it exists and <see cref="OpenFlags.Exclusive"/> is not set, opens it.</summary>
    public ValueTask<CreateResult> CreateAsync(RequestContext context, ulong parent, string name, uint permissions, OpenFlags flags, CancellationToken cancellationToken);

    /// <summary>Reads up to <c>destination.Length</c> bytes at <paramref name="offset"/>; fewer only at end of file.</summary>
    public ValueTask<int> ReadAsync(RequestContext context, ulong node, ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/> (at end of file for an append handle).</summary>
    public ValueTask<int> WriteAsync(RequestContext context, ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>A close(2) of one descriptor on the handle (there may be several through dup/fork).</summary>
    public ValueTask FlushAsync(RequestContext context, ulong node, ulong handle, CancellationToken cancellationToken);

    /// <summary>The last descriptor on the handle is gone; the handle is dead after this.</summary>
    public ValueTask ReleaseAsync(ulong node, ulong handle, CancellationToken cancellationToken);

    /// <summary>fsync/fdatasync on a file or directory handle.</summary>
    public ValueTask FsyncAsync(RequestContext context, ulong node, ulong handle, bool dataOnly, CancellationToken cancellationToken);

    public ValueTask<OpenResult> OpenDirAsync(RequestContext context, ulong node, CancellationToken cancellationToken);

    /// <summary>
    /// Lists the directory from cookie <paramref name="offset"/> (0 = start) into <paramref name="listing"/>
    /// until it is full or the directory ends.
    /// </summary>
    public ValueTask ReadDirAsync(RequestContext context, ulong node, ulong handle, long offset, DirectoryListing listing, CancellationToken cancellationToken);

    public ValueTask ReleaseDirAsync(ulong node, ulong handle, CancellationToken cancellationToken);

    public ValueTask<FileSystemStats> StatFsAsync(RequestContext context, ulong node, CancellationToken cancellationToken);

    /// <summary>Sets an extended attribute; names outside <c>user.</c> are <see cref="FileSystemError.NotSupported"/>.</summary>
    public ValueTask SetXattrAsync(RequestContext context, ulong node, string name, ReadOnlyMemory<byte> value, XattrSetMode mode, CancellationToken cancellationToken);

    /// <summary>
    /// The attribute's value, or <see cref="FileSystemError.NoData"/>; names outside <c>user.</c> are
    /// <see cref="FileSystemError.NotSupported"/> (the FUSE adapter answers those itself without calling).
    /// </summary>
    public ValueTask<byte[]> GetXattrAsync(RequestContext context, ulong node, string name, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="GetXattrAsync"/>, with null for an attribute that is not there instead of an exception:
    /// programs probe for attributes they do not expect to find, and an exception per miss costs more than
    /// the rest of the round trip.
    /// </summary>
    public async ValueTask<byte[]?> FindXattrAsync(RequestContext context, ulong node, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await GetXattrAsync(context, node, name, cancellationToken).ConfigureAwait(false);
        }
        catch (FileSystemException e) when (e.Error == FileSystemError.NoData)
        {
            return null;
        }
    }

    public ValueTask<IReadOnlyList<string>> ListXattrAsync(RequestContext context, ulong node, CancellationToken cancellationToken);

    public ValueTask RemoveXattrAsync(RequestContext context, ulong node, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Called once the platform's cache can take corrections (the FUSE session is initialized), and with null
    /// before it goes away. A filesystem that other processes change too uses it to keep that cache true.
    /// </summary>
    public void UseKernelCache(IKernelCache? cache)
    {
    }
}
