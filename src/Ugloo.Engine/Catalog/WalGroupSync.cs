using Ugloo.Engine.Storage;

namespace Ugloo.Engine.Catalog;

/// <summary>
/// Group commit for a catalog connection that commits without flushing (SQLite's synchronous=NORMAL in WAL
/// mode): one flush of the WAL file makes every commit made before it start durable, so callers that each need
/// their own commit on disk share flushes instead of taking turns at one each.
/// </summary>
/// <remarks>
/// <para>Why this is as durable as synchronous=FULL: in WAL mode FULL differs from NORMAL only in that each commit
/// ends with a flush of the WAL, whose frames are written with write(2) before the commit returns. Flushing the
/// same file from our own descriptor later, before we acknowledge, writes the same frames in the same order. A
/// checkpoint in between flushes the WAL itself before it copies the frames back, and the WAL is rewritten
/// from its start only after a checkpoint copied and flushed everything, so a commit's frames are never lost
/// between its commit and the flush that covers it.</para>
/// <para>Why at all: a close on the mount must not return before its journal row survives a power cut (DESIGN.md
/// invariant 4), and a flush of this disk takes 150-250 µs. With FULL every close flushed on its own, holding
/// the filesystem's lock, so writers in parallel queued behind each other's flushes and every other request
/// (a lookup, a stat) waited too.</para>
/// </remarks>
internal sealed class WalGroupSync : IDisposable
{
    private readonly string _walFile;
    private readonly Lock _lock = new();
    private long _committed;
    private long _durable;
    private Task? _running;
    private FileStream? _wal;
    private bool _directoryFlushed;
    private Exception? _failed;
    private bool _disposed;

    /// <param name="walFile">The WAL file (the database file's name with <c>-wal</c>).</param>
    public WalGroupSync(string walFile)
    {
        _walFile = walFile;
        if (File.Exists(walFile))
        {
            // Open now, not at the first flush: a write-back error is reported to the descriptors open when it
            // happens, and one that came before the open would go unseen.
            _wal = OpenWal();
        }
    }

    /// <summary>Replaces the fsync of the WAL (tests hold or count flushes of a real mount's catalog with it).</summary>
    internal Func<string, Task>? Flush { get; set; }

    /// <summary>Flushes done so far (for tests and figures).</summary>
    public long Flushes { get; private set; }

    /// <summary>
    /// Takes a ticket for a commit that has just returned; call it under the same serialization as the commits,
    /// so tickets follow commit order.
    /// </summary>
    public long Committed()
    {
        lock (_lock)
        {
            return ++_committed;
        }
    }

    /// <summary>Completes once the commit with <paramref name="ticket"/> (and every one before it) is on disk.</summary>
    /// <exception cref="IOException">
    /// A flush failed, this one or an earlier one: the commit may not survive a power cut. Failures stick: after
    /// a failed fsync Linux may mark the unwritten pages clean, so a later flush that succeeds proves nothing,
    /// and the WAL's checksum chain makes every commit after a lost frame unreadable at recovery too.
    /// </exception>
    public async Task WhenDurableAsync(long ticket, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task? flushing;
            TaskCompletionSource? mine = null;
            long covers = 0;
            lock (_lock)
            {
                if (_durable >= ticket)
                {
                    return;
                }

                if (_failed is not null)
                {
                    throw Sticky(_failed);
                }

                // A flush already running may have started before this commit: wait for it, then flush again,
                // which covers everyone who arrived meanwhile.
                flushing = _running;
                if (flushing is null)
                {
                    mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _running = mine.Task;
                    covers = _committed;
                }
            }

            if (mine is null)
            {
                await flushing!.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            // This caller flushes, on its own thread: a lone writer waits for its flush and no thread hop, as
            // with synchronous=FULL. Not cancelled halfway: the callers waiting on it need it whole.
            try
            {
                await FlushAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                lock (_lock)
                {
                    _failed ??= e;
                    _running = null;
                }

                mine.SetException(e);
                throw;
            }

            lock (_lock)
            {
                _durable = Math.Max(_durable, covers);
                Flushes++;
                _running = null;
            }

            mine.SetResult();
        }
    }

    /// <summary>
    /// Throws if a flush failed: no commit that needs the disk may be acknowledged after that (see
    /// <see cref="WhenDurableAsync"/>), whoever flushes it.
    /// </summary>
    /// <exception cref="IOException">A flush failed earlier.</exception>
    public void ThrowIfFailed()
    {
        lock (_lock)
        {
            if (_failed is not null)
            {
                throw Sticky(_failed);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _wal?.Dispose();
            _wal = null;
        }
    }

    private Task FlushAsync()
    {
        if (Flush is { } flush)
        {
            return flush(_walFile);
        }

        // One flush at a time (the caller is the one that set _running), so the stream is this caller's alone.
        FileStream? wal;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            wal = _wal ??= OpenWal();
        }

        wal.Flush(flushToDisk: true);
        if (!_directoryFlushed)
        {
            // The WAL file may be new since the catalog was opened: its directory entry must be on disk too
            // (SQLite's own first sync of a new WAL does the same).
            DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(_walFile))!);
            _directoryFlushed = true;
        }

        return Task.CompletedTask;
    }

    private static IOException Sticky(Exception failed) =>
        new($"The catalog's write-ahead log could not be flushed to disk earlier ({failed.Message}); nothing more is acknowledged as durable until the mount restarts.", failed);

    // Write access because FileStream flushes to disk only a stream it can write; shared with SQLite, which keeps
    // writing the file meanwhile. Kept open: SQLite rewrites the WAL from its start but never replaces the file
    // while its own connection is open (only the last connection to close deletes it).
    private FileStream OpenWal() =>
        new(_walFile, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
}
