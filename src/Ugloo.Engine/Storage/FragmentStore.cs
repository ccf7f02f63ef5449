using System.Collections.Concurrent;
using System.IO.Enumeration;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Storage;

/// <summary>
/// The fragments a node holds, on one or more data directories (disks). Every fragment is verified against
/// its id before it becomes visible and on every full read (DESIGN.md invariant 2); a stored fragment is
/// fsynced together with its directory entry before the store acknowledges it (invariant 4); a full node
/// refuses with <see cref="StoreFullException"/> (invariant 6). Thread-safe: concurrent stores, reads and
/// deletes of the same or different ids are allowed.
/// </summary>
/// <remarks>
/// The index lives in memory and is rebuilt by <see cref="Open"/> from the directory tree, which is the only
/// truth: a fragment exists exactly when its file sits under fragments/, and only complete, verified files
/// are ever renamed there. Operations on one id are serialized by a striped lock so that a publish, a delete
/// and a quarantine never interleave; different ids proceed in parallel.
/// </remarks>
public sealed partial class FragmentStore
{
    // 64 stripes: collisions between unrelated ids only cost a short wait around a rename.
    private const int StripeCount = 64;

    private readonly FragmentStoreOptions _options;
    private readonly ILogger _logger;
    private readonly DataDirectory[] _directories;
    private readonly ConcurrentDictionary<FragmentId, FragmentEntry> _index = new();
    private readonly SemaphoreSlim[] _stripes;
    private readonly Lock _accounting = new();
    private long _usedBytes;
    private long _reservedBytes;

    private FragmentStore(FragmentStoreOptions options, ILogger logger, DataDirectory[] directories)
    {
        _options = options;
        _logger = logger;
        _directories = directories;
        _stripes = new SemaphoreSlim[StripeCount];
        for (int i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>
    /// Opens (or initializes) the store: writes missing markers, deletes unfinished writes of an earlier run,
    /// and indexes every fragment on every data directory. Runs synchronously: it is start-up work.
    /// </summary>
    public static FragmentStore Open(FragmentStoreOptions options, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();

        var directories = new DataDirectory[options.DataDirectories.Count];
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < directories.Length; i++)
        {
            DataDirectoryOptions configured = options.DataDirectories[i];
            string root = Path.GetFullPath(configured.Path);
            Directory.CreateDirectory(root);
            string directoryId = StoreMarker.LoadOrCreate(root);
            if (!seen.TryAdd(directoryId, root))
            {
                throw new InvalidOperationException($"Data directories '{seen[directoryId]}' and '{root}' are the same store (directory id {directoryId}); list each disk once.");
            }

            directories[i] = new DataDirectory(i, root, configured.CapacityBytes, directoryId);
        }

        var store = new FragmentStore(options, logger, directories);
        foreach (DataDirectory directory in directories)
        {
            store.Scan(directory, cancellationToken);
        }

        return store;
    }

    /// <summary>True when this node holds <paramref name="id"/>.</summary>
    public bool Contains(FragmentId id) => _index.ContainsKey(id);

    /// <summary>Length of a held fragment.</summary>
    public bool TryGetLength(FragmentId id, out long length)
    {
        if (_index.TryGetValue(id, out FragmentEntry? entry))
        {
            length = entry.Length;
            return true;
        }

        length = 0;
        return false;
    }

    /// <summary>Number of fragments held.</summary>
    public int Count => _index.Count;

    /// <summary>A snapshot of the held ids, in no particular order (for scrub, repair and rebalancing).</summary>
    public IReadOnlyList<FragmentId> GetFragmentIds() => [.. _index.Keys];

    /// <summary>
    /// Removes a fragment (rebalancing moved it elsewhere). Returns false when it was not held. Not fsynced: a
    /// delete lost in a crash only brings back a redundant copy, which rebalancing deletes again.
    /// </summary>
    public async Task<bool> DeleteAsync(FragmentId id, CancellationToken cancellationToken)
    {
        SemaphoreSlim stripe = StripeOf(id);
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_index.TryRemove(id, out FragmentEntry? entry))
            {
                return false;
            }

            try
            {
                File.Delete(entry.Directory.FragmentPath(id));
            }
            catch
            {
                _index[id] = entry;
                throw;
            }

            lock (_accounting)
            {
                entry.Directory.UsedBytes -= entry.Length;
                entry.Directory.FragmentCount--;
                _usedBytes -= entry.Length;
            }

            return true;
        }
        finally
        {
            stripe.Release();
        }
    }

    public FragmentStoreStatistics GetStatistics()
    {
        lock (_accounting)
        {
            var directories = new DataDirectoryStatistics[_directories.Length];
            int quarantined = 0;
            for (int i = 0; i < _directories.Length; i++)
            {
                DataDirectory d = _directories[i];
                directories[i] = new DataDirectoryStatistics(d.Root, d.DirectoryId, d.FragmentCount, d.UsedBytes, d.CapacityBytes, DirectoryFreeBytes(d), d.QuarantinedCount);
                quarantined += d.QuarantinedCount;
            }

            return new FragmentStoreStatistics(_index.Count, _usedBytes, FreeBytesLocked(), quarantined, directories);
        }
    }

    private SemaphoreSlim StripeOf(FragmentId id) => _stripes[(id.GetHashCode() & int.MaxValue) % StripeCount];

    private void Scan(DataDirectory directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory.FragmentsPath);
        Directory.CreateDirectory(directory.TempPath);
        Directory.CreateDirectory(directory.QuarantinePath);

        // Anything in tmp/ is a write that never committed (crash, kill, power loss): never visible, so safe to drop.
        int leftovers = 0;
        foreach (string file in Directory.EnumerateFiles(directory.TempPath))
        {
            File.Delete(file);
            leftovers++;
        }

        if (leftovers > 0)
        {
            Log.TempLeftoversDeleted(_logger, directory.Root, leftovers);
        }

        directory.QuarantinedCount = Directory.EnumerateFiles(directory.QuarantinePath).Count();

        var files = new FileSystemEnumerable<(string Path, string Name, long Length)>(
            directory.FragmentsPath,
            (ref FileSystemEntry entry) => (entry.ToFullPath(), entry.FileName.ToString(), entry.Length),
            new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false })
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory,
        };

        foreach ((string path, string name, long length) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!TryParseName(name, out FragmentId id) || !string.Equals(path, directory.FragmentPath(id), StringComparison.Ordinal))
            {
                // Not ours or in the wrong leaf: serving it would break the name = location rule.
                Log.StrayFileQuarantined(_logger, path);
                MoveToQuarantine(directory, path, name);
                continue;
            }

            var entry = new FragmentEntry(directory, length);
            if (!_index.TryAdd(id, entry))
            {
                // Two disks hold the same fragment (a crash during a move between disks): same content by hash.
                Log.DuplicateFragmentRemoved(_logger, name, _index[id].Directory.Root, directory.Root);
                File.Delete(path);
                continue;
            }

            directory.UsedBytes += length;
            directory.FragmentCount++;
            _usedBytes += length;
        }

        Log.DataDirectoryOpened(_logger, directory.Root, directory.DirectoryId, directory.FragmentCount, directory.UsedBytes, directory.QuarantinedCount);
    }

    private static bool TryParseName(string name, out FragmentId id)
    {
        // Only the canonical form (64 lower-case hex digits) is a fragment; anything else is a stray file.
        id = default;
        if (name.Length != FragmentId.Size * 2)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiDigit(c) && c is < 'a' or > 'f')
            {
                return false;
            }
        }

        id = FragmentId.Parse(name);
        return true;
    }

    private void MoveToQuarantine(DataDirectory directory, string path, string name)
    {
        // A timestamp suffix keeps several bad copies of the same id apart.
        string target = Path.Combine(directory.QuarantinePath, $"{name}.{DateTime.UtcNow:yyyyMMddTHHmmssfffffff}");
        try
        {
            File.Move(path, target);
            lock (_accounting)
            {
                directory.QuarantinedCount++;
            }
        }
        catch (IOException e)
        {
            Log.QuarantineFailed(_logger, path, e);
            TryDelete(path);
        }
        catch (UnauthorizedAccessException e)
        {
            Log.QuarantineFailed(_logger, path, e);
            TryDelete(path);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the caller already failed; a leftover in tmp/ is removed at the next open.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Where a held fragment lives. Compared by reference: a new entry means a new file.</summary>
    private sealed class FragmentEntry(DataDirectory directory, long length)
    {
        public DataDirectory Directory { get; } = directory;

        public long Length { get; } = length;
    }
}
