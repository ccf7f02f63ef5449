using System.Text;
using Microsoft.Extensions.Logging;
using Ugloo.Engine;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.FileSystem;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// The volume as a POSIX file system: the namespace is the catalog (files are paths whose newest version is
/// live, directories are implied by paths or explicit), file content is read from the swarm segment by
/// segment, and every committed write is a new immutable version (DESIGN.md invariant 3), recorded only
/// once the swarm holds it durably (invariant 4).
/// </summary>
/// <remarks>
/// <para>Node ids are handed out per path for the session and never reused (generation 0). Mode, owner and
/// mtime are recorded with each version (and for explicit directories); versions from <c>ugloo put</c> carry
/// none and show 0644/0755, owned by the user who mounted, mtime = the version's time.</para>
/// <para>One lock guards the node tables and the catalog's SQLite connection; swarm reads, writes and the
/// staging copy run outside it, serialized per file by <see cref="VolumeNode.Io"/>.</para>
/// </remarks>
internal sealed partial class VolumeFileSystem : IFileSystem, IDisposable
{
    private const uint FilePermissions = 0x1A4; // 0644
    private const uint DirectoryPermissions = 0x1ED; // 0755

    /// <summary>Read-only xattr of a file: pending or durable.</summary>
    public const string StateAttribute = "user.ugloo.state";

    /// <summary>Read-only xattr of the root: "FILES BYTES" in the write-back journal.</summary>
    public const string PendingAttribute = "user.ugloo.pending";

    /// <summary>
    /// Write-only xattr of the root: <see cref="LeaveQueuedValue"/> asks the daemon to exit at unmount without
    /// uploading what is queued (<c>ugloo unmount --force</c>; <see cref="LeaveQueuedOnExit"/>).
    /// </summary>
    public const string UnmountAttribute = "user.ugloo.unmount";

    /// <summary>The value of <see cref="UnmountAttribute"/> that <c>ugloo unmount --force</c> sets.</summary>
    public const string LeaveQueuedValue = "leave-queued";

    /// <summary>The value of <see cref="UnmountAttribute"/> that takes <see cref="LeaveQueuedValue"/> back (the unmount failed).</summary>
    public const string DrainValue = "drain";

    /// <summary>Largest xattr value Linux allows (XATTR_SIZE_MAX).</summary>
    private const int MaxXattrBytes = 64 * 1024;

    /// <summary>
    /// How long the kernel may keep names and attributes of the live tree. Everything this mount changes goes
    /// through the kernel, and what other processes change is pushed out of its cache within a quarter second
    /// (<see cref="InvalidateOthersChanges"/>), so a long time costs no coherence and saves a round trip per
    /// stat, open and unlink of a file seen in the last half minute.
    /// </summary>
    private static readonly TimeSpan s_ttl = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly VolumeCatalog _catalog;
    private readonly SwarmClient _client;
    private readonly VolumeKey _volumeKey;
    private readonly VolumeConfig _config;
    private readonly string _stagingDirectory;
    /// <summary>
    /// Memory for small staged copies held instead of files (<see cref="StagedFile"/>): 64 MiB, e.g. 16,384
    /// queued files of 4 KiB or 512 of 128 KiB; past it, copies go to DATA/staging/ as before.
    /// </summary>
    private readonly ByteBudget _stagingMemory = new(StagingMemoryBytes);

    internal const long StagingMemoryBytes = 64L * 1024 * 1024;
    private readonly SegmentCache _segments;
    private readonly ILogger _logger;
    private readonly uint _uid;
    private readonly uint _gid;
    private readonly DateTimeOffset _mounted = DateTimeOffset.UtcNow;
    private readonly Dictionary<ulong, VolumeNode> _nodes = [];
    private readonly Dictionary<string, VolumeNode> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, VolumeHandle> _handles = [];

    /// <summary>Per open directory handle: its files' newest versions when it was opened, by name.</summary>
    private readonly Dictionary<ulong, Dictionary<string, CatalogVersion>> _listedVersions = [];
    /// <summary>The local cache of decrypted segments that reads of stored versions go through.</summary>
    public SegmentCache Segments => _segments;

    private ulong _nextNode = IFileSystem.RootNode + 1;
    private ulong _nextHandle = 1;

    // 1 once a flush of the catalog's WAL failed and was logged (the failure sticks; every later close reports it).
    private int _journalFlushFailed;

    public VolumeFileSystem(VolumeCatalog catalog, SwarmClient client, VolumeKey volumeKey, VolumeConfig config, string stagingDirectory, SegmentCache segments, uint uid, uint gid, ILogger logger)
    {
        _segments = segments;
        _catalog = catalog;
        _client = client;
        _volumeKey = volumeKey;
        _config = config;
        _stagingDirectory = stagingDirectory;
        _uid = uid;
        _gid = gid;
        _logger = logger;
        var root = new VolumeNode(IFileSystem.RootNode, "/", isDirectory: true) { LookupCount = 1 };
        _nodes.Add(root.Id, root);
        _byPath.Add("/", root);
    }

    public ValueTask<EntryInfo?> LookupAsync(RequestContext context, ulong parent, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            VolumeNode directory = Directory(parent);
            if (directory.View is not null || (directory.Id == IFileSystem.RootNode && name == HistoryName))
            {
                VolumeNode? view = name is "." or ".." ? directory : LookupView(directory, name);
                return ValueTask.FromResult(view is null ? (EntryInfo?)null : Reference(view));
            }

            if (name is "." or "..")
            {
                VolumeNode target = name == "." ? directory : Resolve(CatalogPath.Parent(directory.Path)) ?? directory;
                return ValueTask.FromResult<EntryInfo?>(Reference(target));
            }

            VolumeNode? child = Resolve(ChildPath(directory, name));
            return ValueTask.FromResult(child is null ? (EntryInfo?)null : Reference(child));
        }
    }

    public ValueTask ForgetAsync(ulong node, ulong count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(node, out VolumeNode? n))
            {
                n.LookupCount -= Math.Min(count, n.LookupCount);
                TryFree(n);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<NodeAttributes> GetAttrAsync(RequestContext context, ulong node, ulong? handle, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            VolumeNode n = Node(node);
            Refresh(n);
            return ValueTask.FromResult(Attributes(n));
        }
    }

    public async ValueTask<NodeAttributes> SetAttrAsync(RequestContext context, ulong node, ulong? handle, SetAttrChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        VolumeNode n;
        lock (_gate)
        {
            n = Node(node);
            RejectView(n);
        }

        if (changes.Size is long size)
        {
            if (n.IsDirectory)
            {
                throw new FileSystemException(FileSystemError.IsADirectory);
            }

            ArgumentOutOfRangeException.ThrowIfNegative(size);
            await TruncateAsync(n, size, cancellationToken).ConfigureAwait(false);

            // truncate(2) by path has no handle whose release would queue the change: queue it now.
            bool open;
            lock (_gate)
            {
                open = n.OpenCount > 0;
            }

            if (!open)
            {
                await QueueAsync(n, cancellationToken).ConfigureAwait(false);
            }
        }

        lock (_gate)
        {
            if (changes.Permissions is null && changes.Uid is null && changes.Gid is null && changes.ModifyTime is null)
            {
                return Attributes(n);
            }

            CatalogAttributes current = CurrentAttributes(n);
            CatalogAttributes changed = new(
                changes.Permissions is uint mode ? mode & 0xFFF : current.Mode,
                changes.Uid ?? current.Uid,
                changes.Gid ?? current.Gid,
                changes.ModifyTime is FileTime mtime ? Nanoseconds(mtime) : current.ModifiedNs);
            if (n.IsDirectory)
            {
                _catalog.SetDirectoryAttributes(n.Path, changed);
            }
            else
            {
                if (n.Staged is { } staged && changes.ModifyTime is FileTime modified)
                {
                    staged.Modified = modified;
                }

                // Content does not change in place, attributes may (DESIGN.md invariant 3 is about bytes):
                // cp -a and rsync -a set mode, owner and times after writing, which must not add versions.
                if (n.Staged is { Dirty: true })
                {
                    n.Attributes = changed;
                }
                else if (n.Pending is { Recorded: false, Dropped: false } pending)
                {
                    pending.Attributes = changed;
                    _catalog.SetPendingAttributes(pending.Id, changed);
                    n.Attributes = changed;
                }
                else if (n.Version is { } version && !n.Detached)
                {
                    _catalog.SetAttributes(version.Id, changed);
                    n.Version = _catalog.GetLatest(n.Path);
                    n.Attributes = n.Staged is null ? null : changed;
                }
                else
                {
                    n.Attributes = changed;
                }
            }

            return Attributes(n);
        }
    }

    public ValueTask<FileSystemStats> StatFsAsync(RequestContext context, ulong node, CancellationToken cancellationToken)
    {
        const uint blockSize = 4096;
        long capacity = 0;
        long free = 0;
        foreach (SwarmMember member in _client.Members)
        {
            if (member.State == Engine.Placement.NodeState.Up)
            {
                capacity += Math.Max(0, member.CapacityBytes);
                free += Math.Max(0, member.FreeBytes);
            }
        }

        // Users see plaintext bytes: parity takes m of every k + m stored bytes. File managers refuse to copy
        // onto a file system that reports no space, so a cluster that reports no figures shows a nominal 1 TiB.
        double usable = (double)_config.K / (_config.K + _config.M);
        ulong total = (ulong)(capacity * usable) / blockSize;
        ulong available = (ulong)(free * usable) / blockSize;
        if (total == 0)
        {
            total = (1UL << 40) / blockSize;
            available = total;
        }

        available = Math.Clamp(available, 1, total);
        ulong files;
        lock (_gate)
        {
            files = (ulong)_nodes.Count;
        }

        return ValueTask.FromResult(new FileSystemStats(blockSize, total, available, available, 1UL << 32, (1UL << 32) - files, CatalogPath.MaxNameBytes));
    }

    /// <summary>Closes everything; call <see cref="StopJournalAsync"/> first. Queued files stay on disk for the next run.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        lock (_gate)
        {
            foreach (JournalEntry entry in _outstanding)
            {
                // A small copy held in memory has its bytes in its journal row (replay writes them out): writing
                // thousands of them to disk here would only slow the unmount down.
                if (!(entry.File.InMemory && IsPackable(entry)))
                {
                    entry.File.Keep = true;
                }

                entry.File.Dispose();
            }

            _outstanding.Clear();
            _unsettledSince = null;
            _queue.Clear();
            foreach (VolumeHandle handle in _handles.Values)
            {
                handle.Dispose();
            }

            _handles.Clear();
            foreach (VolumeNode node in _nodes.Values)
            {
                if (node.Staged is { } staged)
                {
                    staged.Keep |= staged.Dirty;
                    staged.Dispose();
                    node.Staged = null;
                }
            }
        }

        _stopping.Dispose();
        _queued.Dispose();
    }

    private static string CheckName(string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new FileSystemException(FileSystemError.InvalidArgument);
        }

        return Encoding.UTF8.GetByteCount(name) > CatalogPath.MaxNameBytes ? throw new FileSystemException(FileSystemError.NameTooLong) : name;
    }

    /// <summary>The path of a new or changed child; the history tree (and its name in the root) cannot change.</summary>
    private static string ChildPath(VolumeNode directory, string name)
    {
        RejectView(directory);
        if (directory.Id == IFileSystem.RootNode && name == HistoryName)
        {
            throw new FileSystemException(FileSystemError.ReadOnly);
        }

        return directory.Path == "/" ? "/" + CheckName(name) : directory.Path + "/" + CheckName(name);
    }

    private VolumeNode Node(ulong id) =>
        _nodes.TryGetValue(id, out VolumeNode? node) ? node : throw new FileSystemException(FileSystemError.Stale);

    private VolumeNode Directory(ulong id)
    {
        VolumeNode node = Node(id);
        return node.IsDirectory ? node : throw new FileSystemException(FileSystemError.NotADirectory);
    }

    /// <summary>
    /// The node <paramref name="path"/> names now: a file created here and not yet committed, else what the
    /// catalog says (so files put by other processes appear); null if nothing. Caller holds the lock.
    /// </summary>
    private VolumeNode? Resolve(string path)
    {
        if (_byPath.TryGetValue(path, out VolumeNode? known) && !known.IsDirectory && !known.Detached && known.HasLocalContent)
        {
            return known;
        }

        // A stored file looked up again (stat, open, unlink after the entry's TTL ran out): nothing but this mount
        // changed the catalog since its version was read, so that version is still the newest. A name with no
        // node (every create) skips the check; a file the probe finds is then checked at its next lookup.
        long seen = known is null ? long.MinValue : _catalog.DataVersion();
        if (known is { IsDirectory: false, Detached: false, Version: not null } && known.CatalogSeen == seen)
        {
            return known;
        }

        // One query: a name that does not exist yet (every create, and the lookup before it) is the common case.
        VolumeCatalog.PathProbe probe = _catalog.Probe(path);
        if (probe.Latest is CatalogVersion version)
        {
            VolumeNode file = Bind(path, isDirectory: false);
            file.Version = version;
            file.CatalogSeen = seen;
            return file;
        }

        return probe.IsDirectory ? Bind(path, isDirectory: true) : null;
    }

    /// <summary>The session's node for <paramref name="path"/>, made (or remade, if its type changed) on demand.</summary>
    private VolumeNode Bind(string path, bool isDirectory)
    {
        if (_byPath.TryGetValue(path, out VolumeNode? node))
        {
            if (node.IsDirectory == isDirectory)
            {
                return node;
            }

            Detach(node);
        }

        node = new VolumeNode(_nextNode++, path, isDirectory);
        _nodes.Add(node.Id, node);
        _byPath.Add(path, node);
        return node;
    }

    /// <summary>The path no longer names <paramref name="node"/>; it lives on for its open handles and references.</summary>
    private void Detach(VolumeNode node)
    {
        if (_byPath.TryGetValue(node.Path, out VolumeNode? bound) && bound == node)
        {
            _byPath.Remove(node.Path);
        }

        node.Detached = true;
        TryFree(node);
    }

    /// <summary>Picks up versions written by other processes (ugloo put) since the node was last seen.</summary>
    private void Refresh(VolumeNode node)
    {
        if (node.View is null && !node.IsDirectory && !node.Detached && !node.HasLocalContent)
        {
            long seen = _catalog.DataVersion();
            if (node.CatalogSeen != seen && _catalog.GetLatest(node.Path) is CatalogVersion latest)
            {
                node.Version = latest;
                node.CatalogSeen = seen;
            }
        }
    }

    private NodeAttributes Attributes(VolumeNode n)
    {
        if (n.View is not null)
        {
            return ViewAttributes(n);
        }

        if (n.IsDirectory)
        {
            // The root has no time of its own in the catalog: it shows when the volume was mounted. Any other
            // directory with a row answers from it in one query; an implied one (no row) from its files.
            CatalogAttributes? recorded = null;
            DateTimeOffset? changed = null;
            if (n.Id == IFileSystem.RootNode)
            {
                recorded = _catalog.GetDirectoryAttributes(n.Path);
                changed = _mounted;
            }
            else if (!n.Detached)
            {
                (DateTimeOffset Created, CatalogAttributes? Attributes)? row = _catalog.GetLiveDirectory(n.Path);
                recorded = row?.Attributes;
                changed = row is { } r ? r.Created : _catalog.GetDirectory(n.Path);
            }

            FileTime ctime = FileTime.FromDateTimeOffset(changed ?? DateTimeOffset.UnixEpoch);
            FileTime mtime = recorded is { } d ? FromNanoseconds(d.ModifiedNs) : ctime;
            return new NodeAttributes(
                n.Id, NodeType.Directory, recorded?.Mode ?? DirectoryPermissions, 2, recorded?.Uid ?? _uid, recorded?.Gid ?? _gid, 0, mtime, mtime, ctime, 0, s_ttl);
        }

        long size = n.ContentLength;
        CatalogAttributes a = CurrentAttributes(n);
        FileTime modified = FromNanoseconds(a.ModifiedNs);
        FileTime changedAt = n.HasLocalContent ? modified : FileTime.FromDateTimeOffset(n.Version?.Created ?? DateTimeOffset.UnixEpoch);
        return new NodeAttributes(n.Id, n.Type, a.Mode, n.Detached ? 0u : 1u, a.Uid, a.Gid, size, modified, modified, changedAt, 0, s_ttl);
    }

    /// <summary>
    /// Mode, owner and mtime as they are now: what was changed locally, else what the version recorded, else
    /// defaults (versions from <c>ugloo put</c> record none). A staged copy's mtime moves with its writes.
    /// Caller holds the lock.
    /// </summary>
    private CatalogAttributes CurrentAttributes(VolumeNode n)
    {
        if (n.IsDirectory)
        {
            return (n.Detached ? null : _catalog.GetDirectoryAttributes(n.Path))
                ?? new CatalogAttributes(DirectoryPermissions, _uid, _gid, CatalogAttributes.ToNanoseconds(_mounted));
        }

        CatalogAttributes a = n.Attributes ?? n.Version?.Attributes ?? new CatalogAttributes(
            n.Version is { IsSymlink: true } ? 0x1FFu : n.IsDirectory ? DirectoryPermissions : FilePermissions,
            _uid,
            _gid,
            CatalogAttributes.ToNanoseconds(n.Version?.Created ?? _mounted));
        return n.Staged is { } staged ? a with { ModifiedNs = Nanoseconds(staged.Modified) } : a;
    }

    private static long Nanoseconds(FileTime time) => (time.Seconds * 1_000_000_000) + time.Nanoseconds;

    private static FileTime FromNanoseconds(long ns) => new(Math.DivRem(ns, 1_000_000_000, out long rest) - (rest < 0 ? 1 : 0), (uint)(rest < 0 ? rest + 1_000_000_000 : rest));

    /// <summary>Hands an entry to the kernel, which counts one lookup reference.</summary>
    private EntryInfo Reference(VolumeNode n)
    {
        n.LookupCount++;
        NodeAttributes attributes = Attributes(n);
        return new EntryInfo(attributes, attributes.Ttl);
    }

    private void TryFree(VolumeNode n)
    {
        if (n.LookupCount == 0 && n.OpenCount == 0 && !n.HasLocalContent && n.Id != IFileSystem.RootNode)
        {
            _nodes.Remove(n.Id);
            if (n.View is not null)
            {
                _views.Remove(n.Path);
            }
            else if (_byPath.TryGetValue(n.Path, out VolumeNode? bound) && bound == n)
            {
                _byPath.Remove(n.Path);
            }
        }
    }
}
