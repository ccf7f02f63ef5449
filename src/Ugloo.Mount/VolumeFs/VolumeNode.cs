using Ugloo.Engine.Catalog;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// One path of the volume as the kernel knows it for this session: a stable node id, the kernel's lookup
/// references, the open handles, and for a file its newest known version and the staging copy being written.
/// Guarded by the file system's lock, except <see cref="Io"/> which serializes writes, truncates and commits.
/// </summary>
internal sealed class VolumeNode
{
    public VolumeNode(ulong id, string path, bool isDirectory)
    {
        Id = id;
        Path = path;
        IsDirectory = isDirectory;
    }

    public ulong Id { get; }

    /// <summary>The volume path; changes on rename.</summary>
    public string Path { get; set; }

    public bool IsDirectory { get; }

    /// <summary>A node of the read-only history tree under /.ugloo (its <see cref="Path"/> is then a key, not a path).</summary>
    public HistoryView? View { get; init; }

    public ulong LookupCount { get; set; }

    public int OpenCount { get; set; }

    /// <summary>Unlinked or replaced: its path now names another node (or nothing); open handles still work.</summary>
    public bool Detached { get; set; }

    /// <summary>The newest committed version known (null for a file created here and not committed yet).</summary>
    public CatalogVersion? Version { get; set; }

    /// <summary>
    /// The catalog's <see cref="Engine.Catalog.VolumeCatalog.DataVersion"/> when <see cref="Version"/> was read:
    /// while no other connection has committed since, <see cref="Version"/> is still the newest (this mount keeps
    /// it up to date for its own changes), and a lookup or getattr needs no query.
    /// </summary>
    public long CatalogSeen { get; set; } = long.MinValue;

    /// <summary>The local copy being written; while it exists it is the file's content.</summary>
    public StagedFile? Staged { get; set; }

    /// <summary>The newest closed content in the write-back journal, not yet recorded as a version.</summary>
    public JournalEntry? Pending { get; set; }

    /// <summary>
    /// The catalog's ticket for the newest journal row of this file (0: none): a close returns only once that
    /// row is on disk (<see cref="Ugloo.Engine.Catalog.VolumeCatalog.WhenDurableAsync"/>).
    /// </summary>
    public long JournalTicket { get; set; }

    /// <summary>Mode, owner and mtime of content not recorded yet (staged or pending); null: the version's.</summary>
    public CatalogAttributes? Attributes { get; set; }

    /// <summary>Content that only this machine has yet: being written, or closed and queued.</summary>
    public bool HasLocalContent => Staged is not null || Pending is not null;

    /// <summary>The file's length now: the copy being written, else the queued one, else the stored version.</summary>
    public long ContentLength => Staged?.Length ?? Pending?.Size ?? Version?.Size ?? 0;

    /// <summary>
    /// The version the last open saw: a new open of the same version may keep the page cache. Also the version
    /// that content written through this mount became: every write either went through the kernel's page cache
    /// or bypassed it (a write-mostly handle, made direct only where the kernel drops the cached pages a direct
    /// write changes; with other handles open they are dropped again once the write is applied), so the kernel
    /// holds no page that disagrees with that content. Once the
    /// journal records it (and nothing changed the file since), what the kernel cached of it stays valid.
    /// </summary>
    public long CachedVersionId
    {
        get
        {
            // The recorded version is the written content when it has its size and its exact attributes (mtime
            // to the nanosecond): a version put by another process meanwhile has other (or no) attributes.
            return _writtenThrough is { Recorded: true } written && Pending is null && Staged is null && !Detached
                && Version is { IsSymlink: false } version && version.Size == written.Size && version.Attributes == written.Attributes
                ? version.Id
                : _cachedVersionId;
        }

        set
        {
            _cachedVersionId = value;
            _writtenThrough = null;
        }
    }

    private long _cachedVersionId;
    private JournalEntry? _writtenThrough;

    /// <summary>The closed content just queued is what this mount's writers left in the page cache.</summary>
    public void WrittenThrough(JournalEntry entry)
    {
        _cachedVersionId = 0;
        _writtenThrough = entry;
    }

    /// <summary>Serializes staging, writes, truncates and commits of this file (they are async, outside the lock).</summary>
    public SemaphoreSlim Io { get; } = new(1, 1);

    public NodeType Type =>
        IsDirectory ? NodeType.Directory : !HasLocalContent && Version is { IsSymlink: true } ? NodeType.Symlink : NodeType.File;
}
