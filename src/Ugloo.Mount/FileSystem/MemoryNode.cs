namespace Ugloo.Mount.FileSystem;

/// <summary>One inode of <see cref="MemoryFileSystem"/>. Guarded by the filesystem's lock.</summary>
internal sealed class MemoryNode
{
    public MemoryNode(ulong id, NodeType type, uint permissions, uint uid, uint gid, FileTime now)
    {
        Id = id;
        Type = type;
        Permissions = permissions & 0xFFF;
        Uid = uid;
        Gid = gid;
        AccessTime = now;
        ModifyTime = now;
        ChangeTime = now;
        if (type == NodeType.Directory)
        {
            Children = new Dictionary<string, MemoryDirEntry>(StringComparer.Ordinal);
            ByCookie = [];
            LinkCount = 2;
        }
        else
        {
            LinkCount = 1;
        }

        if (type == NodeType.File)
        {
            Data = new MemoryFileData();
        }
    }

    public ulong Id { get; }

    public NodeType Type { get; }

    public uint Permissions { get; set; }

    public uint Uid { get; set; }

    public uint Gid { get; set; }

    public uint DeviceNumber { get; set; }

    public FileTime AccessTime { get; set; }

    public FileTime ModifyTime { get; set; }

    public FileTime ChangeTime { get; set; }

    /// <summary>Names pointing here; for a directory 2 + subdirectories, 0 once removed.</summary>
    public uint LinkCount { get; set; }

    /// <summary>References the platform holds (lookups not yet forgotten).</summary>
    public ulong LookupCount { get; set; }

    /// <summary>Open handles; an unlinked file stays readable until the last one is released.</summary>
    public int OpenCount { get; set; }

    /// <summary>A directory's parent (directories have exactly one name); the root is its own parent.</summary>
    public MemoryNode? Parent { get; set; }

    public Dictionary<string, MemoryDirEntry>? Children { get; }

    /// <summary>The same entries ordered by readdir cookie, so a listing resumes after any entry.</summary>
    public SortedList<long, MemoryDirEntry>? ByCookie { get; }

    public MemoryFileData? Data { get; }

    public string? SymlinkTarget { get; set; }

    public Dictionary<string, byte[]>? Xattrs { get; set; }

    public bool IsDirectory => Type == NodeType.Directory;

    public long Size => Type switch
    {
        NodeType.File => Data!.Length,
        NodeType.Symlink => System.Text.Encoding.UTF8.GetByteCount(SymlinkTarget!),
        NodeType.Directory => 4096,
        _ => 0,
    };
}

/// <summary>A name in a directory and its readdir cookie.</summary>
internal sealed record class MemoryDirEntry(string Name, MemoryNode Node, long Cookie);
