namespace Ugloo.Mount.FileSystem;

/// <summary>Names: mkdir, mknod, symlink, link, unlink, rmdir, rename.</summary>
internal partial class MemoryFileSystem
{
    public virtual ValueTask<EntryInfo> MkdirAsync(RequestContext context, ulong parent, string name, uint permissions, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            MemoryNode directory = Directory(parent);
            MemoryNode node = NewChild(context, directory, name, NodeType.Directory, permissions);
            node.Parent = directory;
            directory.LinkCount++; // the new directory's ".."
            return ValueTask.FromResult(Reference(node));
        }
    }

    public virtual ValueTask<EntryInfo> MknodAsync(RequestContext context, ulong parent, string name, NodeType type, uint permissions, uint deviceNumber, CancellationToken cancellationToken)
    {
        if (type is NodeType.Directory or NodeType.Symlink)
        {
            throw new FileSystemException(FileSystemError.InvalidArgument);
        }

        lock (_gate)
        {
            MemoryNode node = NewChild(context, Directory(parent), name, type, permissions);
            node.DeviceNumber = deviceNumber;
            return ValueTask.FromResult(Reference(node));
        }
    }

    public virtual ValueTask<EntryInfo> SymlinkAsync(RequestContext context, ulong parent, string name, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(target) > 4095)
        {
            throw new FileSystemException(target.Length == 0 ? FileSystemError.NotFound : FileSystemError.NameTooLong);
        }

        lock (_gate)
        {
            MemoryNode node = NewChild(context, Directory(parent), name, NodeType.Symlink, 0x1FF /* 0777 */);
            node.SymlinkTarget = target;
            return ValueTask.FromResult(Reference(node));
        }
    }

    public virtual ValueTask<string> ReadLinkAsync(RequestContext context, ulong node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            MemoryNode n = Node(node);
            return ValueTask.FromResult(n.SymlinkTarget ?? throw new FileSystemException(FileSystemError.InvalidArgument));
        }
    }

    public virtual ValueTask<EntryInfo> LinkAsync(RequestContext context, ulong node, ulong newParent, string newName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            MemoryNode n = Node(node);
            if (n.IsDirectory)
            {
                throw new FileSystemException(FileSystemError.NotPermitted);
            }

            if (n.LinkCount == 0)
            {
                // linkat of an unlinked (O_TMPFILE-less) file: Linux answers ENOENT.
                throw new FileSystemException(FileSystemError.NotFound);
            }

            MemoryNode directory = Directory(newParent);
            CheckAbsent(directory, newName);
            FileTime now = FileTime.Now;
            AddEntry(directory, newName, n, now);
            n.LinkCount++;
            n.ChangeTime = now;
            return ValueTask.FromResult(Reference(n));
        }
    }

    public virtual ValueTask UnlinkAsync(RequestContext context, ulong parent, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            MemoryNode directory = Directory(parent);
            MemoryDirEntry entry = Entry(directory, name);
            if (entry.Node.IsDirectory)
            {
                throw new FileSystemException(FileSystemError.IsADirectory);
            }

            FileTime now = FileTime.Now;
            RemoveEntry(directory, entry, now);
            DropLink(entry.Node, now);
            return ValueTask.CompletedTask;
        }
    }

    public virtual ValueTask RmdirAsync(RequestContext context, ulong parent, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (name is ".")
            {
                throw new FileSystemException(FileSystemError.InvalidArgument);
            }

            if (name is "..")
            {
                throw new FileSystemException(FileSystemError.NotEmpty);
            }

            MemoryNode directory = Directory(parent);
            MemoryDirEntry entry = Entry(directory, name);
            if (!entry.Node.IsDirectory)
            {
                throw new FileSystemException(FileSystemError.NotADirectory);
            }

            if (entry.Node.Children!.Count != 0)
            {
                throw new FileSystemException(FileSystemError.NotEmpty);
            }

            FileTime now = FileTime.Now;
            RemoveEntry(directory, entry, now);
            DropLink(entry.Node, now);
            directory.LinkCount--;
            return ValueTask.CompletedTask;
        }
    }

    public virtual ValueTask RenameAsync(RequestContext context, ulong parent, string name, ulong newParent, string newName, RenameFlags flags, CancellationToken cancellationToken)
    {
        if ((flags & ~(RenameFlags.NoReplace | RenameFlags.Exchange)) != 0 || flags == (RenameFlags.NoReplace | RenameFlags.Exchange))
        {
            throw new FileSystemException(FileSystemError.InvalidArgument);
        }

        lock (_gate)
        {
            MemoryNode from = Directory(parent);
            MemoryNode to = Directory(newParent);
            MemoryDirEntry source = Entry(from, name);
            to.Children!.TryGetValue(CheckName(newName), out MemoryDirEntry? target);
            FileTime now = FileTime.Now;

            if (flags.HasFlag(RenameFlags.Exchange))
            {
                Exchange(from, source, to, target ?? throw new FileSystemException(FileSystemError.NotFound), now);
                return ValueTask.CompletedTask;
            }

            if (target is not null)
            {
                if (flags.HasFlag(RenameFlags.NoReplace))
                {
                    throw new FileSystemException(FileSystemError.Exists);
                }

                if (ReferenceEquals(target.Node, source.Node))
                {
                    // POSIX: two names of one file; rename does nothing and succeeds.
                    return ValueTask.CompletedTask;
                }

                if (source.Node.IsDirectory)
                {
                    if (!target.Node.IsDirectory)
                    {
                        throw new FileSystemException(FileSystemError.NotADirectory);
                    }

                    if (target.Node.Children!.Count != 0)
                    {
                        throw new FileSystemException(FileSystemError.NotEmpty);
                    }
                }
                else if (target.Node.IsDirectory)
                {
                    throw new FileSystemException(FileSystemError.IsADirectory);
                }
            }

            if (source.Node.IsDirectory && IsSelfOrAncestor(source.Node, to))
            {
                throw new FileSystemException(FileSystemError.InvalidArgument, "cannot move a directory into itself");
            }

            // From here on nothing fails, so the replace is atomic for every observer (one lock).
            if (target is not null)
            {
                RemoveEntry(to, target, now);
                DropLink(target.Node, now);
                if (target.Node.IsDirectory)
                {
                    to.LinkCount--;
                }
            }

            RemoveEntry(from, source, now);
            AddEntry(to, newName, source.Node, now);
            Reparent(source.Node, from, to);
            source.Node.ChangeTime = now;
            return ValueTask.CompletedTask;
        }
    }

    private void Exchange(MemoryNode from, MemoryDirEntry source, MemoryNode to, MemoryDirEntry target, FileTime now)
    {
        if ((source.Node.IsDirectory && IsSelfOrAncestor(source.Node, to)) ||
            (target.Node.IsDirectory && IsSelfOrAncestor(target.Node, from)))
        {
            throw new FileSystemException(FileSystemError.InvalidArgument);
        }

        RemoveEntry(from, source, now);
        RemoveEntry(to, target, now);
        AddEntry(from, source.Name, target.Node, now);
        AddEntry(to, target.Name, source.Node, now);
        Reparent(source.Node, from, to);
        Reparent(target.Node, to, from);
        source.Node.ChangeTime = now;
        target.Node.ChangeTime = now;
    }

    private static void Reparent(MemoryNode node, MemoryNode from, MemoryNode to)
    {
        if (node.IsDirectory && !ReferenceEquals(from, to))
        {
            from.LinkCount--;
            to.LinkCount++;
            node.Parent = to;
        }
    }

    private static bool IsSelfOrAncestor(MemoryNode candidate, MemoryNode node)
    {
        for (MemoryNode current = node; ; current = current.Parent!)
        {
            if (ReferenceEquals(current, candidate))
            {
                return true;
            }

            if (current.Id == IFileSystem.RootNode)
            {
                return false;
            }
        }
    }

    private MemoryNode NewChild(RequestContext context, MemoryNode directory, string name, NodeType type, uint permissions)
    {
        CheckAbsent(directory, name);
        FileTime now = FileTime.Now;

        // BSD group semantics on a setgid directory (as Linux does): children inherit its group, and
        // subdirectories inherit the setgid bit itself.
        uint gid = context.Gid;
        if ((directory.Permissions & SetGid) != 0)
        {
            gid = directory.Gid;
            if (type == NodeType.Directory)
            {
                permissions |= SetGid;
            }
        }

        var node = new MemoryNode(_nextNode++, type, permissions, context.Uid, gid, now);
        _nodes.Add(node.Id, node);
        AddEntry(directory, name, node, now);
        return node;
    }

    private static void CheckAbsent(MemoryNode directory, string name)
    {
        if (name is "." or ".." || directory.Children!.ContainsKey(CheckName(name)))
        {
            throw new FileSystemException(FileSystemError.Exists);
        }

        if (directory.LinkCount == 0)
        {
            // A removed directory accepts no new names (Linux: ENOENT).
            throw new FileSystemException(FileSystemError.NotFound);
        }
    }

    private static MemoryDirEntry Entry(MemoryNode directory, string name) =>
        directory.Children!.TryGetValue(CheckName(name), out MemoryDirEntry? entry)
            ? entry
            : throw new FileSystemException(FileSystemError.NotFound);

    private void AddEntry(MemoryNode directory, string name, MemoryNode node, FileTime now)
    {
        var entry = new MemoryDirEntry(name, node, _nextCookie++);
        directory.Children!.Add(name, entry);
        directory.ByCookie!.Add(entry.Cookie, entry);
        directory.ModifyTime = now;
        directory.ChangeTime = now;
    }

    private static void RemoveEntry(MemoryNode directory, MemoryDirEntry entry, FileTime now)
    {
        directory.Children!.Remove(entry.Name);
        directory.ByCookie!.Remove(entry.Cookie);
        directory.ModifyTime = now;
        directory.ChangeTime = now;
    }

    private void DropLink(MemoryNode node, FileTime now)
    {
        node.LinkCount = node.IsDirectory ? 0 : node.LinkCount - 1;
        node.ChangeTime = now;
        TryFree(node);
    }
}
