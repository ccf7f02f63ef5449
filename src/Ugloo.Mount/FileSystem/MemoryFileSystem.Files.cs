namespace Ugloo.Mount.FileSystem;

/// <summary>Open files: open, create, read, write, flush, release, fsync.</summary>
internal partial class MemoryFileSystem
{
    public virtual ValueTask<OpenResult> OpenAsync(RequestContext context, ulong node, OpenFlags flags, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            MemoryNode n = Node(node);
            if (n.IsDirectory && (flags & OpenFlags.Write) != 0)
            {
                throw new FileSystemException(FileSystemError.IsADirectory);
            }

            if (flags.HasFlag(OpenFlags.Truncate) && n.Type == NodeType.File && (flags & OpenFlags.Write) != 0)
            {
                Truncate(n, 0, FileTime.Now);
            }

            return ValueTask.FromResult(NewHandle(n, flags));
        }
    }

    public virtual ValueTask<CreateResult> CreateAsync(RequestContext context, ulong parent, string name, uint permissions, OpenFlags flags, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            MemoryNode directory = Directory(parent);
            if (directory.Children!.TryGetValue(CheckName(name), out MemoryDirEntry? existing))
            {
                // O_CREAT without O_EXCL on an existing name is a plain open (the kernel races can land here).
                if (flags.HasFlag(OpenFlags.Exclusive))
                {
                    throw new FileSystemException(FileSystemError.Exists);
                }

                if (existing.Node.IsDirectory)
                {
                    throw new FileSystemException(FileSystemError.IsADirectory);
                }

                if (flags.HasFlag(OpenFlags.Truncate) && existing.Node.Type == NodeType.File)
                {
                    Truncate(existing.Node, 0, FileTime.Now);
                }

                return ValueTask.FromResult(new CreateResult(Reference(existing.Node), NewHandle(existing.Node, flags)));
            }

            MemoryNode node = NewChild(context, directory, name, NodeType.File, permissions);
            return ValueTask.FromResult(new CreateResult(Reference(node), NewHandle(node, flags)));
        }
    }

    public virtual ValueTask<int> ReadAsync(RequestContext context, ulong node, ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            MemoryNode n = Handle(handle, node).Node;
            if (n.Data is null)
            {
                throw new FileSystemException(n.IsDirectory ? FileSystemError.IsADirectory : FileSystemError.InvalidArgument);
            }

            return ValueTask.FromResult(offset < 0 ? throw new FileSystemException(FileSystemError.InvalidArgument) : n.Data.Read(offset, destination.Span));
        }
    }

    public virtual ValueTask<int> WriteAsync(RequestContext context, ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            MemoryHandle h = Handle(handle, node);
            MemoryNode n = h.Node;
            if (n.Data is null || (h.Flags & OpenFlags.Write) == 0)
            {
                throw new FileSystemException(FileSystemError.BadHandle);
            }

            if (h.Flags.HasFlag(OpenFlags.Append))
            {
                offset = n.Data.Length;
            }

            if (offset < 0)
            {
                throw new FileSystemException(FileSystemError.InvalidArgument);
            }

            if (offset + data.Length > MaxFileSize)
            {
                throw new FileSystemException(FileSystemError.FileTooLarge);
            }

            // Conservative space check: every chunk touched might be new.
            long worstCase = ((data.Length / MemoryFileData.ChunkSize) + 2L) * MemoryFileData.ChunkSize;
            if (_allocatedBytes + worstCase > Capacity)
            {
                throw new FileSystemException(FileSystemError.NoSpace);
            }

            _allocatedBytes += n.Data.Write(offset, data.Span);
            FileTime now = FileTime.Now;
            n.ModifyTime = now;
            n.ChangeTime = now;
            return ValueTask.FromResult(data.Length);
        }
    }

    public virtual ValueTask FlushAsync(RequestContext context, ulong node, ulong handle, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _ = Handle(handle, node);
            return ValueTask.CompletedTask;
        }
    }

    public virtual ValueTask FsyncAsync(RequestContext context, ulong node, ulong handle, bool dataOnly, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _ = Handle(handle, node);
            return ValueTask.CompletedTask;
        }
    }

    public virtual ValueTask ReleaseAsync(ulong node, ulong handle, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_handles.Remove(handle, out MemoryHandle? h))
            {
                h.Node.OpenCount--;
                TryFree(h.Node);
            }

            return ValueTask.CompletedTask;
        }
    }

    private OpenResult NewHandle(MemoryNode node, OpenFlags flags)
    {
        ulong id = _nextHandle++;
        _handles.Add(id, new MemoryHandle(node, flags));
        node.OpenCount++;
        return new OpenResult(id);
    }

    private MemoryHandle Handle(ulong handle, ulong node) =>
        _handles.TryGetValue(handle, out MemoryHandle? h) && h.Node.Id == node
            ? h
            : throw new FileSystemException(FileSystemError.BadHandle);
}
