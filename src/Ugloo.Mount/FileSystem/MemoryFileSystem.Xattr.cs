namespace Ugloo.Mount.FileSystem;

/// <summary>Extended attributes: the user.* namespace only, as a mounted filesystem without ACLs offers.</summary>
internal partial class MemoryFileSystem
{
    /// <summary>Largest value accepted (the Linux VFS limit, XATTR_SIZE_MAX).</summary>
    public const int MaxXattrValueBytes = 64 * 1024;

    private const string UserPrefix = "user.";

    public virtual ValueTask SetXattrAsync(RequestContext context, ulong node, string name, ReadOnlyMemory<byte> value, XattrSetMode mode, CancellationToken cancellationToken)
    {
        CheckXattrName(name);
        if (value.Length > MaxXattrValueBytes)
        {
            throw new FileSystemException(FileSystemError.ValueTooLarge);
        }

        lock (_gate)
        {
            MemoryNode n = Node(node);
            n.Xattrs ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
            bool exists = n.Xattrs.ContainsKey(name);
            if (mode == XattrSetMode.Create && exists)
            {
                throw new FileSystemException(FileSystemError.Exists);
            }

            if (mode == XattrSetMode.Replace && !exists)
            {
                throw new FileSystemException(FileSystemError.NoData);
            }

            n.Xattrs[name] = value.ToArray();
            n.ChangeTime = FileTime.Now;
            return ValueTask.CompletedTask;
        }
    }

    public virtual ValueTask<byte[]> GetXattrAsync(RequestContext context, ulong node, string name, CancellationToken cancellationToken)
    {
        CheckXattrName(name);
        lock (_gate)
        {
            MemoryNode n = Node(node);
            return n.Xattrs is not null && n.Xattrs.TryGetValue(name, out byte[]? value)
                ? ValueTask.FromResult(value)
                : throw new FileSystemException(FileSystemError.NoData);
        }
    }

    public virtual ValueTask<IReadOnlyList<string>> ListXattrAsync(RequestContext context, ulong node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            MemoryNode n = Node(node);
            IReadOnlyList<string> names = n.Xattrs is null ? [] : [.. n.Xattrs.Keys.Order(StringComparer.Ordinal)];
            return ValueTask.FromResult(names);
        }
    }

    public virtual ValueTask RemoveXattrAsync(RequestContext context, ulong node, string name, CancellationToken cancellationToken)
    {
        CheckXattrName(name);
        lock (_gate)
        {
            MemoryNode n = Node(node);
            if (n.Xattrs is null || !n.Xattrs.Remove(name))
            {
                throw new FileSystemException(FileSystemError.NoData);
            }

            n.ChangeTime = FileTime.Now;
            return ValueTask.CompletedTask;
        }
    }

    private static void CheckXattrName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!name.StartsWith(UserPrefix, StringComparison.Ordinal))
        {
            // security.*, system.* (POSIX ACLs), trusted.*: not stored here.
            throw new FileSystemException(FileSystemError.NotSupported);
        }

        if (name.Length == UserPrefix.Length || System.Text.Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            throw new FileSystemException(name.Length == UserPrefix.Length ? FileSystemError.InvalidArgument : FileSystemError.OutOfRange);
        }
    }
}
