using System.Text;

namespace Ugloo.Mount.FileSystem;

/// <summary>
/// A complete in-memory <see cref="IFileSystem"/> with POSIX semantics: the reference the platform adapters
/// are tested against and the model of what the versioned filesystem must do (hard links and nlink, unlinked
/// files readable until released, atomic rename over a target, setgid directories, user.* xattrs).
/// Everything runs under one lock and completes synchronously. Node ids are never reused, so generations
/// are always 0. Access times are not updated by reads (as with noatime).
/// Methods are virtual so tests can wrap single operations (a read that blocks, a failing write).
/// </summary>
internal partial class MemoryFileSystem : IFileSystem
{
    /// <summary>Longest name in UTF-8 bytes (NAME_MAX).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Largest file size accepted, 1 TiB; beyond that writes and truncates fail with EFBIG.</summary>
    public const long MaxFileSize = 1L << 40;

    private const uint SetGid = 0x400; // S_ISGID, 02000

    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, MemoryNode> _nodes = [];
    private readonly Dictionary<ulong, MemoryHandle> _handles = [];
    private readonly MemoryNode _root;
    private ulong _nextNode = IFileSystem.RootNode + 1;
    private ulong _nextHandle = 1;

    // Cookies 1 and 2 are "." and ".."; entries take increasing cookies from 3 on, never reused, so a
    // listing resumed at any cookie neither repeats nor skips entries that stayed in place.
    private long _nextCookie = 3;
    private long _allocatedBytes;

    public MemoryFileSystem(uint rootUid = 0, uint rootGid = 0, uint rootPermissions = 0x1ED /* 0755 */)
    {
        _root = new MemoryNode(IFileSystem.RootNode, NodeType.Directory, rootPermissions, rootUid, rootGid, FileTime.Now);
        _root.Parent = _root;
        _root.LookupCount = 1; // the platform's permanent reference to the root
        _nodes.Add(_root.Id, _root);
    }

    /// <summary>How long the platform may cache attributes. Default 1 s.</summary>
    public TimeSpan AttributeTtl { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the platform may cache name → node bindings. Default 1 s.</summary>
    public TimeSpan EntryTtl { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Bytes the filesystem may hold (statfs total; writes past it fail with ENOSPC). Default: available RAM.</summary>
    public long Capacity { get; init; } = Math.Max(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, 1L << 30);

    /// <summary>Nodes currently alive (tests check that forgotten, unlinked nodes are freed).</summary>
    public int NodeCount
    {
        get
        {
            lock (_gate)
            {
                return _nodes.Count;
            }
        }
    }

    public virtual ValueTask<EntryInfo?> LookupAsync(RequestContext context, ulong parent, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            MemoryNode directory = Directory(parent);
            MemoryNode? child = name switch
            {
                "." => directory,
                ".." => directory.Parent,
                _ => directory.Children!.GetValueOrDefault(CheckName(name))?.Node,
            };
            return ValueTask.FromResult(child is null ? (EntryInfo?)null : Reference(child));
        }
    }

    public virtual ValueTask ForgetAsync(ulong node, ulong count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(node, out MemoryNode? n))
            {
                n.LookupCount -= Math.Min(count, n.LookupCount);
                TryFree(n);
            }

            return ValueTask.CompletedTask;
        }
    }

    public virtual ValueTask<NodeAttributes> GetAttrAsync(RequestContext context, ulong node, ulong? handle, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(Attributes(Node(node)));
        }
    }

    public virtual ValueTask<NodeAttributes> SetAttrAsync(RequestContext context, ulong node, ulong? handle, SetAttrChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_gate)
        {
            MemoryNode n = Node(node);
            FileTime now = FileTime.Now;
            if (changes.Size is long size)
            {
                if (n.Type == NodeType.Directory)
                {
                    throw new FileSystemException(FileSystemError.IsADirectory);
                }

                if (n.Type != NodeType.File)
                {
                    throw new FileSystemException(FileSystemError.InvalidArgument);
                }

                Truncate(n, size, now);
            }

            if (changes.Permissions is uint permissions)
            {
                n.Permissions = permissions & 0xFFF;
            }

            if (changes.Uid is uint uid)
            {
                n.Uid = uid;
            }

            if (changes.Gid is uint gid)
            {
                n.Gid = gid;
            }

            if (changes.AccessTime is FileTime atime)
            {
                n.AccessTime = atime;
            }

            if (changes.ModifyTime is FileTime mtime)
            {
                n.ModifyTime = mtime;
            }

            n.ChangeTime = changes.ChangeTime ?? now;
            return ValueTask.FromResult(Attributes(n));
        }
    }

    public virtual ValueTask<FileSystemStats> StatFsAsync(RequestContext context, ulong node, CancellationToken cancellationToken)
    {
        const uint blockSize = 4096;
        lock (_gate)
        {
            ulong total = (ulong)Capacity / blockSize;
            ulong used = (ulong)Math.Min(_allocatedBytes, Capacity) / blockSize;
            ulong files = Math.Max(1UL << 24, (ulong)_nodes.Count * 2);
            return ValueTask.FromResult(new FileSystemStats(
                blockSize, total, total - used, total - used, files, files - (ulong)_nodes.Count, MaxNameBytes));
        }
    }

    private static string CheckName(string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new FileSystemException(FileSystemError.InvalidArgument, $"invalid name '{name}'");
        }

        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            throw new FileSystemException(FileSystemError.NameTooLong);
        }

        return name;
    }

    private MemoryNode Node(ulong id) =>
        _nodes.TryGetValue(id, out MemoryNode? node) ? node : throw new FileSystemException(FileSystemError.Stale, $"no node {id}");

    private MemoryNode Directory(ulong id)
    {
        MemoryNode node = Node(id);
        return node.IsDirectory ? node : throw new FileSystemException(FileSystemError.NotADirectory);
    }

    private NodeAttributes Attributes(MemoryNode n) => new(
        n.Id, n.Type, n.Permissions, n.LinkCount, n.Uid, n.Gid, n.Size,
        n.AccessTime, n.ModifyTime, n.ChangeTime, n.DeviceNumber, AttributeTtl);

    /// <summary>Hands an entry to the platform, which counts one lookup reference.</summary>
    private EntryInfo Reference(MemoryNode n)
    {
        n.LookupCount++;
        return new EntryInfo(Attributes(n), EntryTtl);
    }

    private void Truncate(MemoryNode n, long size, FileTime now)
    {
        if (size < 0)
        {
            throw new FileSystemException(FileSystemError.InvalidArgument);
        }

        if (size > MaxFileSize)
        {
            throw new FileSystemException(FileSystemError.FileTooLarge);
        }

        _allocatedBytes += n.Data!.SetLength(size);
        n.ModifyTime = now;
        n.ChangeTime = now;
    }

    /// <summary>Frees a node nobody can reach any more: no names, no open handles, no platform references.</summary>
    private void TryFree(MemoryNode n)
    {
        if (n.LinkCount == 0 && n.OpenCount == 0 && n.LookupCount == 0 && n.Id != IFileSystem.RootNode)
        {
            _nodes.Remove(n.Id);
            if (n.Data is not null)
            {
                _allocatedBytes += n.Data.SetLength(0);
            }
        }
    }

    private sealed record class MemoryHandle(MemoryNode Node, OpenFlags Flags);
}
