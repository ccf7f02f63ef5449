using Ugloo.Engine.Catalog;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.VolumeFs;

/// <summary>Names: mkdir, rmdir, unlink, rename, directory listings, and the node kinds a volume does not hold.</summary>
internal sealed partial class VolumeFileSystem
{
    public ValueTask<EntryInfo> MkdirAsync(RequestContext context, ulong parent, string name, uint permissions, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            string path = ChildPath(Directory(parent), name);
            if (Resolve(path) is not null)
            {
                throw new FileSystemException(FileSystemError.Exists);
            }

            _catalog.AddDirectory(path, DateTimeOffset.UtcNow);
            return ValueTask.FromResult(Reference(Bind(path, isDirectory: true)));
        }
    }

    public ValueTask RmdirAsync(RequestContext context, ulong parent, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            VolumeNode directory = Directory(parent);
            string path = ChildPath(directory, name);
            VolumeNode target = Resolve(path) ?? throw new FileSystemException(FileSystemError.NotFound);
            if (!target.IsDirectory)
            {
                throw new FileSystemException(FileSystemError.NotADirectory);
            }

            if (_catalog.List(path).Count > 0 || PendingChildren(path).Any())
            {
                throw new FileSystemException(FileSystemError.NotEmpty);
            }

            KeepDirectory(directory.Path);
            _catalog.RemoveDirectory(path);
            Detach(target);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask UnlinkAsync(RequestContext context, ulong parent, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            VolumeNode directory = Directory(parent);
            string path = ChildPath(directory, name);
            VolumeNode target = Resolve(path) ?? throw new FileSystemException(FileSystemError.NotFound);
            if (target.IsDirectory)
            {
                throw new FileSystemException(FileSystemError.IsADirectory);
            }

            // The directory stays even when this was its last file (rm -r removes it next, with rmdir).
            KeepDirectory(directory.Path);
            if (_catalog.GetLatest(path) is not null)
            {
                _catalog.AddTombstone(path, DateTimeOffset.UtcNow);
            }

            Detach(target);
            return ValueTask.CompletedTask;
        }
    }

    public async ValueTask RenameAsync(RequestContext context, ulong parent, string name, ulong newParent, string newName, RenameFlags flags, CancellationToken cancellationToken)
    {
        if (flags.HasFlag(RenameFlags.Exchange))
        {
            throw new FileSystemException(FileSystemError.InvalidArgument);
        }

        VolumeNode source;
        string from;
        string to;
        lock (_gate)
        {
            from = ChildPath(Directory(parent), name);
            to = ChildPath(Directory(newParent), newName);
            source = Resolve(from) ?? throw new FileSystemException(FileSystemError.NotFound);
        }

        if (source.IsDirectory)
        {
            await RenameDirectoryAsync(source, from, to, flags, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A file still being written is committed first, so the name moves with its current content.
        await CommitAsync(source, dropStaging: false, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (source.Detached || _catalog.GetLatest(from) is not CatalogVersion version)
            {
                throw new FileSystemException(FileSystemError.NotFound);
            }

            if (from == to)
            {
                return;
            }

            if (Resolve(to) is VolumeNode target)
            {
                if (flags.HasFlag(RenameFlags.NoReplace))
                {
                    throw new FileSystemException(FileSystemError.Exists);
                }

                if (target.IsDirectory)
                {
                    throw new FileSystemException(FileSystemError.IsADirectory);
                }

                Detach(target);
            }

            // The same object under a new name: its key is wrapped for the object id, not the path.
            DateTimeOffset now = DateTimeOffset.UtcNow;
            KeepDirectory(CatalogPath.Parent(from));
            _catalog.AddVersion(to, version.Size, version.Manifest!, version.WrappedKey!, now);
            _catalog.AddTombstone(from, now);
            _byPath.Remove(from);
            source.Path = to;
            _byPath[to] = source;
            source.Version = _catalog.GetLatest(to);
        }
    }

    /// <summary>
    /// Moves a directory: files below it still being written are committed first, then the catalog moves the
    /// whole tree in one transaction and the session's nodes follow their paths (open files keep working).
    /// </summary>
    private async Task RenameDirectoryAsync(VolumeNode source, string from, string to, RenameFlags flags, CancellationToken cancellationToken)
    {
        if (to == from)
        {
            return;
        }

        if (to.StartsWith(from + "/", StringComparison.Ordinal))
        {
            throw new FileSystemException(FileSystemError.InvalidArgument);
        }

        string prefix = from + "/";
        List<VolumeNode> writing;
        lock (_gate)
        {
            writing = [.. _byPath.Values.Where(n => n.Path.StartsWith(prefix, StringComparison.Ordinal) && n.Staged is { Dirty: true })];
        }

        foreach (VolumeNode n in writing)
        {
            await CommitAsync(n, dropStaging: false, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            if (source.Detached)
            {
                throw new FileSystemException(FileSystemError.NotFound);
            }

            if (Resolve(to) is VolumeNode target)
            {
                if (flags.HasFlag(RenameFlags.NoReplace))
                {
                    throw new FileSystemException(FileSystemError.Exists);
                }

                if (!target.IsDirectory)
                {
                    throw new FileSystemException(FileSystemError.NotADirectory);
                }

                if (_catalog.List(to).Count > 0 || PendingChildren(to).Any())
                {
                    throw new FileSystemException(FileSystemError.NotEmpty);
                }

                _catalog.RemoveDirectory(to);
                Detach(target);
            }

            KeepDirectory(CatalogPath.Parent(from));
            _catalog.RenameDirectory(from, to, DateTimeOffset.UtcNow);

            // Every node at or below the old path moves with it; stale bindings below the new path go.
            string newPrefix = to + "/";
            foreach (VolumeNode stale in _byPath.Values.Where(n => n.Path.StartsWith(newPrefix, StringComparison.Ordinal)).ToList())
            {
                Detach(stale);
            }

            List<VolumeNode> moving = [.. _byPath.Values.Where(n => n.Path == from || n.Path.StartsWith(prefix, StringComparison.Ordinal))];
            foreach (VolumeNode n in moving)
            {
                _byPath.Remove(n.Path);
            }

            foreach (VolumeNode n in moving)
            {
                n.Path = to + n.Path[from.Length..];
                _byPath[n.Path] = n;
                if (!n.IsDirectory && n.Version is not null)
                {
                    n.Version = _catalog.GetLatest(n.Path) ?? n.Version;
                }
            }
        }
    }

    public ValueTask<OpenResult> OpenDirAsync(RequestContext context, ulong node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            VolumeNode directory = Directory(node);

            // A snapshot: cookies are indexes into it, so a listing resumed after changes neither repeats nor skips.
            var listing = new List<(string Name, bool IsDirectory)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (!directory.Detached)
            {
                foreach (CatalogEntry entry in _catalog.List(directory.Path))
                {
                    listing.Add((entry.Name, entry.IsDirectory));
                    seen.Add(entry.Name);
                }

                foreach (VolumeNode pending in PendingChildren(directory.Path))
                {
                    string childName = CatalogPath.Name(pending.Path);
                    if (seen.Add(childName))
                    {
                        listing.Add((childName, false));
                    }
                }
            }

            ulong id = _nextHandle++;
            _handles.Add(id, new VolumeHandle(directory, OpenFlags.Read) { Listing = listing });
            directory.OpenCount++;
            return ValueTask.FromResult(new OpenResult(id));
        }
    }

    public ValueTask ReadDirAsync(RequestContext context, ulong node, ulong handle, long offset, DirectoryListing listing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listing);
        lock (_gate)
        {
            VolumeHandle h = Handle(handle, node);
            VolumeNode directory = h.Node;
            List<(string Name, bool IsDirectory)> entries = h.Listing ?? throw new FileSystemException(FileSystemError.NotADirectory);

            // "." and ".." take cookies 1 and 2 and no attributes; entry i takes cookie i + 3.
            if (offset < 1 && !listing.TryAdd(".", directory.Id, NodeType.Directory, 1, null))
            {
                return ValueTask.CompletedTask;
            }

            if (offset < 2)
            {
                ulong parentId = (directory.Path == "/" ? directory : _byPath.GetValueOrDefault(CatalogPath.Parent(directory.Path)))?.Id ?? directory.Id;
                if (!listing.TryAdd("..", parentId, NodeType.Directory, 2, null))
                {
                    return ValueTask.CompletedTask;
                }
            }

            for (long i = Math.Max(0, offset - 2); i < entries.Count; i++)
            {
                (string childName, bool isDirectory) = entries[(int)i];
                string path = directory.Path == "/" ? "/" + childName : directory.Path + "/" + childName;
                VolumeNode child = Bind(path, isDirectory);
                if (!isDirectory)
                {
                    Refresh(child);
                }

                EntryInfo? info = listing.WantsAttributes ? new EntryInfo(Attributes(child), s_ttl) : null;
                if (!listing.TryAdd(childName, child.Id, child.Type, i + 3, info))
                {
                    TryFree(child);
                    break;
                }

                if (info is not null)
                {
                    child.LookupCount++;
                }
                else
                {
                    TryFree(child);
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    public ValueTask ReleaseDirAsync(ulong node, ulong handle, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_handles.Remove(handle, out VolumeHandle? h))
            {
                h.Node.OpenCount--;
                h.Dispose();
                TryFree(h.Node);
            }
        }

        return ValueTask.CompletedTask;
    }

    // A volume holds regular files and directories only. symlink(2), link(2) and mknod(2) of other kinds
    // answer EPERM ("the file system does not support" this kind of node, as their man pages say), and
    // extended attributes ENOTSUP; a listing has none, and a lookup of one finds no data.
    public ValueTask<string> ReadLinkAsync(RequestContext context, ulong node, CancellationToken cancellationToken) =>
        throw new FileSystemException(FileSystemError.InvalidArgument);

    public ValueTask<EntryInfo> SymlinkAsync(RequestContext context, ulong parent, string name, string target, CancellationToken cancellationToken) =>
        throw new FileSystemException(FileSystemError.NotPermitted);

    public ValueTask<EntryInfo> LinkAsync(RequestContext context, ulong node, ulong newParent, string newName, CancellationToken cancellationToken) =>
        throw new FileSystemException(FileSystemError.NotPermitted);

    public async ValueTask<EntryInfo> MknodAsync(RequestContext context, ulong parent, string name, NodeType type, uint permissions, uint deviceNumber, CancellationToken cancellationToken)
    {
        if (type != NodeType.File)
        {
            throw new FileSystemException(FileSystemError.NotPermitted);
        }

        CreateResult created = await CreateAsync(context, parent, name, permissions, OpenFlags.Write | OpenFlags.Exclusive, cancellationToken).ConfigureAwait(false);
        await ReleaseAsync(created.Entry.Node, created.Open.Handle, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return new EntryInfo(Attributes(Node(created.Entry.Node)), s_ttl);
        }
    }

    public ValueTask SetXattrAsync(RequestContext context, ulong node, string name, ReadOnlyMemory<byte> value, XattrSetMode mode, CancellationToken cancellationToken) =>
        throw new FileSystemException(FileSystemError.NotSupported);

    public ValueTask<byte[]> GetXattrAsync(RequestContext context, ulong node, string name, CancellationToken cancellationToken) =>
        throw new FileSystemException(FileSystemError.NoData);

    public ValueTask<IReadOnlyList<string>> ListXattrAsync(RequestContext context, ulong node, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>([]);

    public ValueTask RemoveXattrAsync(RequestContext context, ulong node, string name, CancellationToken cancellationToken) =>
        throw new FileSystemException(FileSystemError.NoData);

    /// <summary>Files created in <paramref name="directory"/> this session and not committed yet. Caller holds the lock.</summary>
    private IEnumerable<VolumeNode> PendingChildren(string directory) =>
        _byPath.Values.Where(n => !n.IsDirectory && !n.Detached && n.Version is null && n.Staged is not null && CatalogPath.Parent(n.Path) == directory);

    /// <summary>Makes <paramref name="directory"/> explicit so it outlives its last child. Caller holds the lock.</summary>
    private void KeepDirectory(string directory) => _catalog.AddDirectory(directory, DateTimeOffset.UtcNow);
}
