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

            _catalog.SetDirectoryAttributes(path, new CatalogAttributes(permissions & 0xFFF, context.Uid, context.Gid, Nanoseconds(FileTime.Now)));
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
            _catalog.RemoveXattrs(path);
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

            // One transaction: the directory stays even when this was its last file (rm -r removes it next,
            // with rmdir), a live version gets a tombstone, queued content is marked deleted, xattrs go.
            _catalog.Unlink(path, QueuedIds(target), DateTimeOffset.UtcNow);
            Detach(target);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask RenameAsync(RequestContext context, ulong parent, string name, ulong newParent, string newName, RenameFlags flags, CancellationToken cancellationToken)
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
            RenameDirectory(source, from, to, flags);
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            if (source.Detached)
            {
                throw new FileSystemException(FileSystemError.NotFound);
            }

            if (from == to)
            {
                return ValueTask.CompletedTask;
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

                // The replaced file's recorded versions stay in its history; content it had only queued goes.
                DeletePending(target);
                Detach(target);
            }

            // Recorded content moves as a copy of the version (the same object: keys are wrapped for the object
            // id, not the path); content still local (being written or queued) follows the node to its new path.
            DateTimeOffset now = DateTimeOffset.UtcNow;
            KeepDirectory(CatalogPath.Parent(from));
            CatalogVersion? recorded = _catalog.GetLatest(from);
            if (recorded is not null)
            {
                _catalog.AddCopy(to, recorded, now);
                _catalog.AddTombstone(from, now);
            }

            for (JournalEntry? entry = source.Pending; entry is not null; entry = entry.Previous)
            {
                if (!entry.Recorded && !entry.Dropped)
                {
                    _catalog.MovePending(entry.Id, to, now);
                }
            }

            _catalog.MoveXattrs(from, to);
            _byPath.Remove(from);
            source.Path = to;
            _byPath[to] = source;
            source.Version = recorded is null ? null : _catalog.GetLatest(to);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Moves a directory: the catalog moves the whole tree (and the journal rows below it) in one transaction
    /// and the session's nodes follow their paths (open and queued files keep working).
    /// </summary>
    private void RenameDirectory(VolumeNode source, string from, string to, RenameFlags flags)
    {
        if (to == from)
        {
            return;
        }

        if (to.StartsWith(from + "/", StringComparison.Ordinal))
        {
            throw new FileSystemException(FileSystemError.InvalidArgument);
        }

        // Files below still being written or queued move with their nodes; the catalog moves their journal rows.
        string prefix = from + "/";
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
            if (directory.View is { } view)
            {
                ulong viewHandle = _nextHandle++;
                _handles.Add(viewHandle, new VolumeHandle(directory, OpenFlags.Read) { ViewListing = ListView(view) });
                directory.OpenCount++;
                return ValueTask.FromResult(new OpenResult(viewHandle));
            }

            // A snapshot: cookies are indexes into it, so a listing resumed after changes neither repeats nor skips.
            var listing = new List<(string Name, NodeType Type)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);

            // The files' newest versions come with the names: readdirplus then needs no query per entry.
            var versions = new Dictionary<string, CatalogVersion>(StringComparer.Ordinal);
            if (!directory.Detached)
            {
                foreach (CatalogEntry entry in _catalog.List(directory.Path))
                {
                    listing.Add((entry.Name, entry.IsDirectory ? NodeType.Directory : entry.IsSymlink ? NodeType.Symlink : NodeType.File));
                    seen.Add(entry.Name);
                    if (entry.Latest is { } latest)
                    {
                        versions[entry.Name] = latest;
                    }
                }

                foreach (VolumeNode pending in PendingChildren(directory.Path))
                {
                    string childName = CatalogPath.Name(pending.Path);
                    if (seen.Add(childName))
                    {
                        listing.Add((childName, NodeType.File));
                    }
                }
            }

            ulong id = _nextHandle++;
            _handles.Add(id, new VolumeHandle(directory, OpenFlags.Read) { Listing = listing });
            if (!directory.Detached)
            {
                _listedVersions[id] = versions;
            }

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
            if (h.ViewListing is { } views)
            {
                ReadViewDirectory(directory, views, offset, listing);
                return ValueTask.CompletedTask;
            }

            List<(string Name, NodeType Type)> entries = h.Listing ?? throw new FileSystemException(FileSystemError.NotADirectory);
            Dictionary<string, CatalogVersion>? versions = _listedVersions.GetValueOrDefault(handle);

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
                (string childName, NodeType type) = entries[(int)i];
                bool isDirectory = type == NodeType.Directory;
                string path = directory.Path == "/" ? "/" + childName : directory.Path + "/" + childName;
                VolumeNode child = Bind(path, isDirectory);
                if (!isDirectory && !child.Detached && !child.HasLocalContent && versions is not null && versions.TryGetValue(childName, out CatalogVersion? listed)
                    && (child.Version is null || child.Version.Id < listed.Id))
                {
                    child.Version = listed;
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

    /// <summary>Readdir of a history directory, with the same cookies as a live one. Caller holds the lock.</summary>
    private void ReadViewDirectory(VolumeNode directory, List<(string Name, NodeType Type, HistoryView View, CatalogVersion? Version)> entries, long offset, DirectoryListing listing)
    {
        if (offset < 1 && !listing.TryAdd(".", directory.Id, NodeType.Directory, 1, null))
        {
            return;
        }

        if (offset < 2 && !listing.TryAdd("..", directory.Id, NodeType.Directory, 2, null))
        {
            return;
        }

        for (long i = Math.Max(0, offset - 2); i < entries.Count; i++)
        {
            (string childName, NodeType type, HistoryView view, CatalogVersion? version) = entries[(int)i];
            VolumeNode child = BindView(view, version);
            EntryInfo? info = null;
            if (listing.WantsAttributes)
            {
                NodeAttributes attributes = Attributes(child);
                info = new EntryInfo(attributes, attributes.Ttl);
            }

            if (!listing.TryAdd(childName, child.Id, type, i + 3, info))
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
    }

    public ValueTask ReleaseDirAsync(ulong node, ulong handle, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _listedVersions.Remove(handle);
            if (_handles.Remove(handle, out VolumeHandle? h))
            {
                h.Node.OpenCount--;
                h.Dispose();
                TryFree(h.Node);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<string> ReadLinkAsync(RequestContext context, ulong node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            VolumeNode n = Node(node);
            Refresh(n);
            return n.Type == NodeType.Symlink
                ? ValueTask.FromResult(n.Version!.LinkTarget!)
                : throw new FileSystemException(FileSystemError.InvalidArgument);
        }
    }

    /// <summary>A symbolic link is a version with a target and no object: recorded at once, nothing to upload.</summary>
    public ValueTask<EntryInfo> SymlinkAsync(RequestContext context, ulong parent, string name, string target, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            string path = ChildPath(Directory(parent), name);
            if (Resolve(path) is not null)
            {
                throw new FileSystemException(FileSystemError.Exists);
            }

            if (target.Length == 0 || target.Contains('\0', StringComparison.Ordinal))
            {
                throw new FileSystemException(FileSystemError.InvalidArgument);
            }

            DateTimeOffset now = DateTimeOffset.UtcNow;
            _catalog.AddSymlink(path, target, now, new CatalogAttributes(0x1FF, context.Uid, context.Gid, CatalogAttributes.ToNanoseconds(now)));
            VolumeNode n = Bind(path, isDirectory: false);
            n.Version = _catalog.GetLatest(path);
            return ValueTask.FromResult(Reference(n));
        }
    }

    // Hard links need one object under two names that change together, which versions per path cannot
    // express: link(2) answers EPERM, as its man page says of a file system that does not support them.
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

    /// <summary>
    /// <c>user.*</c> attributes are kept per name (catalog table <c>xattrs</c>); other namespaces (security,
    /// trusted, system: ACLs, capabilities) answer ENOTSUP, which cp -a and rsync -X treat as "not supported
    /// here". The <c>user.ugloo.*</c> names are ours and read-only.
    /// </summary>
    public ValueTask SetXattrAsync(RequestContext context, ulong node, string name, ReadOnlyMemory<byte> value, XattrSetMode mode, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            VolumeNode n = Node(node);
            RejectView(n);
            string path = XattrPath(n, name);
            if (name == UnmountAttribute && n.Id == IFileSystem.RootNode)
            {
                string asked = System.Text.Encoding.UTF8.GetString(value.Span);
                LeaveQueuedOnExit = asked switch
                {
                    LeaveQueuedValue => true,
                    DrainValue => false,
                    _ => throw new FileSystemException(FileSystemError.InvalidArgument),
                };
                return ValueTask.CompletedTask;
            }

            if (name.StartsWith("user.ugloo.", StringComparison.Ordinal))
            {
                throw new FileSystemException(FileSystemError.NotPermitted);
            }

            if (value.Length > MaxXattrBytes)
            {
                throw new FileSystemException(FileSystemError.OutOfRange);
            }

            bool exists = _catalog.GetXattr(path, name) is not null;
            if (mode == XattrSetMode.Create && exists)
            {
                throw new FileSystemException(FileSystemError.Exists);
            }

            if (mode == XattrSetMode.Replace && !exists)
            {
                throw new FileSystemException(FileSystemError.NoData);
            }

            _catalog.SetXattr(path, name, value.ToArray());
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Set through <see cref="UnmountAttribute"/> on the root by <c>ugloo unmount --force</c> just before it
    /// unmounts: the daemon then exits without uploading the write-back journal (it stays queued on disk for
    /// the next mount), where it would otherwise wait for the swarm, possibly for good when the swarm is down.
    /// </summary>
    public bool LeaveQueuedOnExit { get; private set; }

    /// <summary>
    /// Users' attributes, and two read-only ones computed on demand and never listed (so cp -a and rsync -X do
    /// not copy them): <c>user.ugloo.state</c> on a file (<see cref="StateAsync"/>), and <c>user.ugloo.pending</c> on the root ("FILES BYTES" still queued),
    /// which <c>ugloo unmount</c> polls.
    /// </summary>
    public async ValueTask<byte[]> GetXattrAsync(RequestContext context, ulong node, string name, CancellationToken cancellationToken) =>
        await FindXattrAsync(context, node, name, cancellationToken).ConfigureAwait(false) ?? throw new FileSystemException(FileSystemError.NoData);

    /// <summary>As <see cref="GetXattrAsync"/>, with null (not an exception) when the node has no attribute of that name.</summary>
    public ValueTask<byte[]?> FindXattrAsync(RequestContext context, ulong node, string name, CancellationToken cancellationToken)
    {
        if (!name.StartsWith("user.", StringComparison.Ordinal))
        {
            // As set and remove answer: security.*, system.* and trusted.* are not kept here (the FUSE
            // adapter answers these itself, without calling).
            throw new FileSystemException(FileSystemError.NotSupported);
        }

        lock (_gate)
        {
            VolumeNode n = Node(node);
            if (name == StateAttribute && !n.IsDirectory)
            {
                return StateOrNullAsync(n, cancellationToken);
            }

            if (name == PendingAttribute && n.Id == IFileSystem.RootNode)
            {
                (int files, long bytes) = (_outstanding.Count, _outstanding.Sum(e => e.Size));
                return ValueTask.FromResult<byte[]?>(System.Text.Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{files} {bytes}")));
            }

            return ValueTask.FromResult(n.View is null && !n.Detached ? _catalog.GetXattr(n.Path, name) : null);
        }
    }

    private async ValueTask<byte[]?> StateOrNullAsync(VolumeNode n, CancellationToken cancellationToken) =>
        await StateAsync(n, cancellationToken).ConfigureAwait(false);

    public ValueTask<IReadOnlyList<string>> ListXattrAsync(RequestContext context, ulong node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            VolumeNode n = Node(node);
            return ValueTask.FromResult(n.View is null && !n.Detached ? _catalog.ListXattrs(n.Path) : (IReadOnlyList<string>)[]);
        }
    }

    public ValueTask RemoveXattrAsync(RequestContext context, ulong node, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            VolumeNode n = Node(node);
            RejectView(n);
            return _catalog.RemoveXattrs(XattrPath(n, name), name)
                ? ValueTask.CompletedTask
                : throw new FileSystemException(FileSystemError.NoData);
        }
    }

    /// <summary>The path whose <c>user.*</c> attribute <paramref name="name"/> is meant; ENOTSUP for other namespaces. Caller holds the lock.</summary>
    private static string XattrPath(VolumeNode n, string name)
    {
        if (!name.StartsWith("user.", StringComparison.Ordinal) || name.Length == "user.".Length)
        {
            throw new FileSystemException(FileSystemError.NotSupported);
        }

        return n.Detached ? throw new FileSystemException(FileSystemError.NotFound) : n.Path;
    }

    /// <summary>The journal rows of the node's closed content not yet recorded (newest first). Caller holds the lock.</summary>
    private static List<long> QueuedIds(VolumeNode n)
    {
        var ids = new List<long>();
        for (JournalEntry? entry = n.Pending; entry is not null; entry = entry.Previous)
        {
            if (!entry.Recorded && !entry.Dropped)
            {
                ids.Add(entry.Id);
            }
        }

        return ids;
    }

    /// <summary>Files created in <paramref name="directory"/> this session and not committed yet. Caller holds the lock.</summary>
    private IEnumerable<VolumeNode> PendingChildren(string directory) =>
        _byPath.Values.Where(n => !n.IsDirectory && !n.Detached && n.Version is null && n.HasLocalContent && CatalogPath.Parent(n.Path) == directory);

    /// <summary>Makes <paramref name="directory"/> explicit so it outlives its last child. Caller holds the lock.</summary>
    private void KeepDirectory(string directory) => _catalog.AddDirectory(directory, DateTimeOffset.UtcNow);
}
