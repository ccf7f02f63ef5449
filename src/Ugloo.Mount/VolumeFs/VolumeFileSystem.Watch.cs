using Ugloo.Engine.Catalog;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// Keeps the kernel's cache of names and attributes true when another process changes the volume (ugloo put,
/// restore, the S3 gateway: any other catalog connection). Everything this mount changes goes through the
/// kernel, which updates its own cache; so the live tree can be cached for <see cref="s_ttl"/> and the
/// others' versions are pushed out of that cache within <see cref="s_watchInterval"/> instead.
/// </summary>
internal sealed partial class VolumeFileSystem
{
    private static readonly TimeSpan s_watchInterval = TimeSpan.FromMilliseconds(250);
    private const int WatchBatch = 4096;

    private IKernelCache? _kernelCache;
    private Task? _watch;
    private long _watchedDataVersion;
    private long _watchedVersionId;

    public void UseKernelCache(IKernelCache? cache)
    {
        lock (_gate)
        {
            _kernelCache = cache;
            if (cache is not null && _watch is null)
            {
                _watchedDataVersion = _catalog.DataVersion();
                _watchedVersionId = _catalog.LastVersionId();
                _watch = Task.Run(WatchAsync);
            }
        }
    }

    private async Task WatchAsync()
    {
        using var timer = new PeriodicTimer(s_watchInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    InvalidateOthersChanges();
                }
                catch (Exception e) when (e is not OperationCanceledException and not ObjectDisposedException)
                {
                    Log.CatalogWatchFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// When another connection committed since the last look, drops from the kernel's cache every name (and
    /// the attributes of every node) that a version added meanwhile concerns. The notifications go out after
    /// the lock is released: the kernel takes the directory's lock to drop a name, and a request holding that
    /// lock may be waiting for ours.
    /// </summary>
    private void InvalidateOthersChanges()
    {
        IKernelCache? cache;
        lock (_gate)
        {
            cache = _kernelCache;
            if (cache is null || _stopping.IsCancellationRequested)
            {
                return;
            }

            long dataVersion = _catalog.DataVersion();
            if (dataVersion == _watchedDataVersion)
            {
                return;
            }

            // Noted before reading, so a commit that lands during the read is looked at next time.
            _watchedDataVersion = dataVersion;
        }

        // A batch at a time, releasing the lock in between: a big put by another process must not hold up
        // every request of the mount.
        bool more = true;
        while (more)
        {
            var entries = new HashSet<(ulong Parent, string Name)>();
            var nodes = new HashSet<ulong>();
            lock (_gate)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                IReadOnlyList<(long Id, string Path)> added = _catalog.VersionsAfter(_watchedVersionId, WatchBatch);
                foreach ((long id, string path) in added)
                {
                    _watchedVersionId = id;
                    Collect(path, entries, nodes);
                }

                more = added.Count == WatchBatch;
            }

            foreach ((ulong parent, string name) in entries)
            {
                cache.InvalidateEntry(parent, name);
            }

            foreach (ulong node in nodes)
            {
                cache.InvalidateAttributes(node);
            }
        }
    }

    /// <summary>
    /// What the kernel may hold about <paramref name="path"/>, which a version added since the last look concerns.
    /// The mount's own versions are among them (the journal's records); dropping those costs the kernel one
    /// more request. Caller holds the lock.
    /// </summary>
    private void Collect(string path, HashSet<(ulong, string)> entries, HashSet<ulong> nodes)
    {
        bool boundDirectory = false;
        if (_byPath.TryGetValue(path, out VolumeNode? node))
        {
            if (node.HasLocalContent)
            {
                // Being written or queued here: what the kernel shows is that content, newer than any other.
                return;
            }

            // Not skipped when this node already has the version: a lookup or open may have moved it on
            // without handing the kernel the new attributes.
            nodes.Add(node.Id);
            boundDirectory = node.IsDirectory;
        }

        // The kernel holds names only under directories it looked up, which are bound here. A name bound as a
        // directory keeps its entry (a process may have its working directory there); its attributes go.
        if (!boundDirectory && _byPath.TryGetValue(CatalogPath.Parent(path), out VolumeNode? directory) && directory.IsDirectory && !directory.Detached)
        {
            entries.Add((directory.Id, CatalogPath.Name(path)));
            nodes.Add(directory.Id);
        }
    }
}
