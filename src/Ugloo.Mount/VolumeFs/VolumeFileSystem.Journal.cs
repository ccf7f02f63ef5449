using System.Diagnostics;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Objects;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// The write-back journal: the last close of a changed file queues its staged copy (fsynced first, then a
/// catalog row) and returns; uploaders store queued files in the swarm and record each as a version in the
/// transaction that removes its row. A crash leaves every closed file either recorded or still queued;
/// <see cref="StartJournal"/> replays what an earlier run left.
/// </summary>
internal sealed partial class VolumeFileSystem
{
    private static readonly TimeSpan s_maxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly LinkedList<JournalEntry> _queue = new();
    private readonly HashSet<JournalEntry> _outstanding = [];
    private readonly SemaphoreSlim _queued = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private Task[] _uploaders = [];

    /// <summary>Queued small files (and their bytes) not yet taken into a pack.</summary>
    private int _smallQueued;
    private long _smallQueuedBytes;

    /// <summary>
    /// No later than the oldest close still in the journal (the earliest since it was last empty); null while it
    /// is empty. A version is dated no earlier than its close, so the past before this no longer changes.
    /// </summary>
    private DateTimeOffset? _unsettledSince;

    /// <summary>When the last file was queued (<see cref="Stopwatch"/> ticks).</summary>
    private long _lastQueued;

    /// <summary>Where <see cref="MoveOrphanedStaging"/> sets aside staged copies the journal does not name.</summary>
    public const string LostFoundDirectory = "lost+found";

    /// <summary>How many callers wait for the journal now (fsync, unmount): small files are not held back meanwhile.</summary>
    private int _hurry;

    /// <summary>How small files are packed (<see cref="PackOptions"/>; defaults unless set before the journal starts).</summary>
    public PackOptions Packing { get; init; } = new();

    /// <summary>Closed files not yet recorded as versions, and their bytes.</summary>
    public (int Files, long Bytes) PendingTotals
    {
        get
        {
            lock (_gate)
            {
                return (_outstanding.Count, _outstanding.Sum(e => e.Size));
            }
        }
    }

    /// <summary>Replays the journal an earlier run left and starts <paramref name="uploaders"/> upload workers.</summary>
    public void StartJournal(int uploaders = 4)
    {
        lock (_gate)
        {
            IReadOnlyList<PendingCommit> rows = _catalog.GetPending();
            if (rows.Count > 0)
            {
                long bytes = rows.Sum(r => r.Size);
                Log.JournalReplay(_logger, rows.Count, bytes);
            }

            MoveOrphanedStaging(rows);

            // A file deleted while queued is replayed on a node of its own, off the tree: it is no longer there.
            var deletedNodes = new Dictionary<string, VolumeNode>(StringComparer.Ordinal);

            foreach (PendingCommit row in rows)
            {
                if (row.Content is not null && !RestoreStaged(row))
                {
                    _catalog.RemovePending(row.Id);
                    continue;
                }

                if (!File.Exists(row.StagedFile))
                {
                    Log.JournalStagingMissing(_logger, row.Path, row.StagedFile);
                    _catalog.RemovePending(row.Id);
                    continue;
                }

                StagedFile adopted = StagedFile.Adopt(row.StagedFile);
                if (!TryAdoptBase(row, adopted))
                {
                    adopted.Keep = true;
                    adopted.Dispose();
                    _catalog.RemovePending(row.Id);
                    continue;
                }

                VolumeNode node = row.Deleted ? DeletedNode(deletedNodes, row.Path) : Bind(row.Path, isDirectory: false);
                var entry = new JournalEntry(row.Id, node, adopted, row.Attributes, node.Pending) { Closed = row.Queued };
                node.Pending = entry;
                node.Attributes = row.Attributes;
                Enqueue(entry);
            }
        }

        _uploaders = [.. Enumerable.Range(0, Math.Max(1, uploaders)).Select(_ => Task.Run(UploadLoopAsync))];
    }

    /// <summary>A detached node for the queued rows of a file that was deleted before an earlier run stopped. Caller holds the lock.</summary>
    private VolumeNode DeletedNode(Dictionary<string, VolumeNode> deletedNodes, string path)
    {
        if (!deletedNodes.TryGetValue(path, out VolumeNode? node))
        {
            node = new VolumeNode(_nextNode++, path, isDirectory: false) { Detached = true };
            _nodes.Add(node.Id, node);
            deletedNodes.Add(path, node);
        }

        return node;
    }

    /// <summary>
    /// Moves what DATA/staging/ holds beyond the copies the journal names (and their base records) into
    /// DATA/staging/lost+found/: copies of files still open when an earlier daemon was killed or stopped
    /// (never closed, so no version, and replay cannot use them), and copies a failed queueing or a missing
    /// base left behind (logged then as kept). Replay must not trip over them, and they must not sit among the
    /// live copies crash after crash; but one may be the only copy of a closed file, so they are set aside,
    /// owner-only like the rest of staging, and the log says where, rather than deleted. Matched by file name:
    /// a row keeps the absolute path of the mount that wrote it, and the data directory may be reached by
    /// another path now. The caller holds the data directory's mount lock, so no other daemon writes here.
    /// </summary>
    private void MoveOrphanedStaging(IReadOnlyList<PendingCommit> rows)
    {
        if (!System.IO.Directory.Exists(_stagingDirectory))
        {
            return;
        }

        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (PendingCommit row in rows)
        {
            string name = Path.GetFileName(row.StagedFile);
            named.Add(name);
            named.Add(StagedFile.BaseRecordPathOf(name));
        }

        string lostFound = Path.Combine(_stagingDirectory, LostFoundDirectory);
        int count = 0;
        long bytes = 0;
        foreach (string path in System.IO.Directory.EnumerateFiles(_stagingDirectory))
        {
            if (named.Contains(Path.GetFileName(path)))
            {
                continue;
            }

            try
            {
                long length = new FileInfo(path).Length;
                System.IO.Directory.CreateDirectory(lostFound);
                File.Move(path, Path.Combine(lostFound, Path.GetFileName(path)), overwrite: true);
                count++;
                bytes += length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.StagingOrphanNotRemoved(_logger, path, e);
            }
        }

        if (count > 0)
        {
            Log.StagingOrphansMoved(_logger, count, bytes, lostFound);
        }
    }

    /// <summary>
    /// A small file whose row holds its bytes: its staged copy was not fsynced, so it is written again from the
    /// row (a crash may have left it short or gone). False (logged) when it cannot be written; the row is dropped
    /// then, since the file cannot be staged.
    /// </summary>
    private bool RestoreStaged(PendingCommit row)
    {
        try
        {
            StagedFile.Restore(row.StagedFile, row.Content);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.JournalStagingMissing(_logger, row.Path, $"{row.StagedFile} ({e.Message})");
            return false;
        }
    }

    /// <summary>Restores which stored version a queued sparse copy builds on; false (logged) when that cannot be done.</summary>
    private bool TryAdoptBase(PendingCommit row, StagedFile staged)
    {
        long versionId = 0;
        try
        {
            if (!staged.TryReadBaseRecord(out versionId, out int segments, out byte[] bitmap))
            {
                return true; // a whole copy
            }

            CatalogVersion version = _catalog.GetVersion(versionId) ?? throw new FormatException("no such version in the catalog");
            ObjectManifest manifest = ObjectManifest.Deserialize(version.Manifest ?? throw new FormatException("the version has no content"));
            if (manifest.SegmentCount != segments)
            {
                throw new FormatException($"the record names {segments} segments, the version has {manifest.SegmentCount}");
            }

            staged.Base = new StagedBase(version, manifest, StagedBase.FromBitmap(bitmap, segments));
            return true;
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            Log.JournalBaseMissing(_logger, row.Path, versionId, e.Message, row.StagedFile);
            return false;
        }
    }

    /// <summary>Waits until every closed file is recorded, reporting the remaining files and bytes as they go.</summary>
    public async Task WaitForJournalAsync(IProgress<(int Files, long Bytes)>? progress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _hurry);
        try
        {
            await WaitForJournalCoreAsync(progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _hurry);
        }
    }

    /// <summary>Waits until <paramref name="entry"/> is recorded or dropped, holding no small file back meanwhile.</summary>
    private async Task AwaitRecordedAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        if (entry.Done.Task.IsCompleted)
        {
            return;
        }

        Interlocked.Increment(ref _hurry);
        try
        {
            await entry.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _hurry);
        }
    }

    private async Task WaitForJournalCoreAsync(IProgress<(int Files, long Bytes)>? progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task[] waiting;
            lock (_gate)
            {
                waiting = [.. _outstanding.Select(e => e.Done.Task)];
            }

            if (waiting.Length == 0)
            {
                return;
            }

            progress?.Report(PendingTotals);
            await Task.WhenAny(waiting).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After an unmount: uploads what is still queued, printing what is left on <paramref name="progress"/>
    /// whenever it changes. Not cancellable: a second Ctrl-C ends the process and the journal keeps the rest.
    /// Returns at once after <c>ugloo unmount --force</c> (<see cref="LeaveQueuedOnExit"/>): the rest stays queued.
    /// </summary>
    public async Task DrainJournalAsync(TextWriter progress, string until)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (LeaveQueuedOnExit || PendingTotals.Files == 0)
        {
            return;
        }

        string? last = null;
        await WaitForJournalAsync(
            new Progress<(int Files, long Bytes)>(p =>
            {
                string line = $"Uploading {p.Files} closed files ({Engine.ByteSize.Format(p.Bytes)}) before {until}; Ctrl-C again leaves them queued for the next start.";
                if (line != last)
                {
                    progress.WriteLine(line);
                    last = line;
                }
            }),
            CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Stops the uploaders; what is still queued stays in the journal for the next run.</summary>
    public async Task StopJournalAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (Task uploader in _uploaders)
        {
            try
            {
                await uploader.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>
    /// Queues the node's staged copy after its last close if it changed; a clean copy is dropped. The content
    /// is durable when the journal row is: a small file's bytes are in the row, a bigger one is fsynced before
    /// the row that names it. Caller does not hold the lock.
    /// </summary>
    private async Task QueueAsync(VolumeNode n, CancellationToken cancellationToken, bool whileOpen = false)
    {
        await n.Io.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            StagedFile? staged;
            lock (_gate)
            {
                staged = n.OpenCount == 0 || whileOpen ? n.Staged : null;
                if (staged is null)
                {
                    return;
                }

                if (whileOpen && (!staged.Dirty || n.Detached))
                {
                    return;
                }

                if (!staged.Dirty || n.Detached)
                {
                    // Unchanged, or unlinked while open: nothing to keep.
                    staged.Dispose();
                    n.Staged = null;
                    return;
                }
            }

            // A small whole file goes into its journal row: one commit makes it durable, where fsyncing a new
            // staged file first would cost a second flush of the disk for every file closed.
            byte[]? content = null;
            if (IsPackable(staged))
            {
                content = new byte[staged.Length];
                if (staged.Read(0, content) != content.Length)
                {
                    throw new IOException($"The staged copy {staged.FilePath} is shorter than the {content.Length} bytes written.");
                }
            }
            else
            {
                staged.FlushToDisk();
            }

            long ticket;
            lock (_gate)
            {
                if ((n.OpenCount != 0 && !whileOpen) || n.Detached || n.Staged != staged)
                {
                    return; // reopened or unlinked meanwhile: its next release decides
                }

                CatalogAttributes attributes = CurrentAttributes(n);
                (long id, ticket) = _catalog.AddPendingGrouped(n.Path, staged.FilePath, staged.Length, attributes, DateTimeOffset.UtcNow, content);
                n.JournalTicket = ticket;
                staged.Dirty = false;
                staged.Written = false;
                var entry = new JournalEntry(id, n, staged, attributes, n.Pending);
                n.Pending = entry;
                n.Staged = null;
                n.Attributes = attributes;
                n.WrittenThrough(entry);
                Enqueue(entry);
            }

            // The close returns only once the row survives a power cut, but the flush is shared with the closes
            // that came meanwhile and runs outside the lock (WalGroupSync), so other requests go on during it.
            await WhenJournalDurableAsync(ticket, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            n.Io.Release();
        }
    }

    /// <summary>Waits until the journal row with <paramref name="ticket"/> is on disk; EIO (logged once) when the disk refused.</summary>
    private async Task WhenJournalDurableAsync(long ticket, CancellationToken cancellationToken)
    {
        try
        {
            await _catalog.WhenDurableAsync(ticket, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            if (Interlocked.Exchange(ref _journalFlushFailed, 1) == 0)
            {
                Log.JournalFlushFailed(_logger, e);
            }

            throw new FileSystemException(FileSystemError.IOError, e.Message);
        }
    }

    /// <summary>
    /// The node's queued content was unlinked or replaced before it reached the swarm: it is still recorded
    /// (history keeps every closed file) and followed by a tombstone. Caller holds the lock.
    /// </summary>
    private void DeletePending(VolumeNode n)
    {
        for (JournalEntry? entry = n.Pending; entry is not null; entry = entry.Previous)
        {
            if (!entry.Recorded && !entry.Dropped)
            {
                _catalog.MarkPendingDeleted(entry.Id, DateTimeOffset.UtcNow);
            }
        }
    }

    /// <summary>Caller holds the lock.</summary>
    private void Enqueue(JournalEntry entry)
    {
        _queue.AddLast(entry);
        _lastQueued = entry.Queued;
        if (IsPackable(entry))
        {
            _smallQueued++;
            _smallQueuedBytes += entry.Size;
        }

        _outstanding.Add(entry);
        if (_unsettledSince is not { } since || entry.Closed < since)
        {
            _unsettledSince = entry.Closed;
        }

        _queued.Release();
    }

    private async Task UploadLoopAsync()
    {
        CancellationToken cancellationToken = _stopping.Token;
        while (true)
        {
            await _queued.WaitAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                List<JournalEntry>? batch;
                TimeSpan hold;
                lock (_gate)
                {
                    batch = TakeBatch(out hold);
                }

                if (batch is not null)
                {
                    await UploadAsync(batch, cancellationToken).ConfigureAwait(false);
                    break;
                }

                if (hold <= TimeSpan.Zero)
                {
                    break; // another uploader took this entry into its pack
                }

                // Small steps: an fsync or unmount that starts waiting ends the hold within a few milliseconds.
                await Task.Delay(hold < s_holdStep ? hold : s_holdStep, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static readonly TimeSpan s_holdStep = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The next entry to store: the queue's first, and when it is a small file every other small file queued
    /// now that fits in its pack; null when the queue is empty, or (with <paramref name="hold"/> how long to
    /// wait before asking again) while small files are still being closed and should share a pack. Caller holds
    /// the lock.
    /// </summary>
    /// <remarks>
    /// Each entry taken along consumes one count of <see cref="_queued"/> if there is one; an uploader woken for
    /// an entry already packed finds the queue empty and waits again, so no entry is ever left unseen. An entry
    /// joins a pack only when its own earlier close is recorded or in the same pack: packs then never wait for
    /// one another, only the first entry may wait for its earlier close.
    /// </remarks>
    private List<JournalEntry>? TakeBatch(out TimeSpan hold)
    {
        hold = TimeSpan.Zero;
        if (_queue.First is not { } first)
        {
            return null;
        }

        if (IsPackable(first.Value) && Volatile.Read(ref _hurry) == 0 &&
            _smallQueued < Packing.MaxPackFiles && _smallQueuedBytes < Packing.MaxPackBytes)
        {
            long now = Stopwatch.GetTimestamp();
            TimeSpan quietFor = Packing.Linger - Stopwatch.GetElapsedTime(_lastQueued, now);
            TimeSpan oldFor = Packing.MaxDelay - Stopwatch.GetElapsedTime(first.Value.Queued, now);
            if (quietFor > TimeSpan.Zero && oldFor > TimeSpan.Zero)
            {
                // A bigger file queued behind the small ones does not wait for their pack.
                if (_queue.Count > _smallQueued)
                {
                    for (LinkedListNode<JournalEntry>? item = first.Next; item is not null; item = item.Next)
                    {
                        if (!IsPackable(item.Value))
                        {
                            _queue.Remove(item);
                            return [item.Value];
                        }
                    }
                }

                hold = quietFor < oldFor ? quietFor : oldFor;
                return null;
            }
        }

        _queue.RemoveFirst();
        List<JournalEntry> batch = [first.Value];
        if (!IsPackable(first.Value))
        {
            return batch;
        }

        long bytes = first.Value.Size;
        for (LinkedListNode<JournalEntry>? item = _queue.First; item is not null && batch.Count < Packing.MaxPackFiles;)
        {
            LinkedListNode<JournalEntry>? next = item.Next;
            JournalEntry entry = item.Value;
            if (IsPackable(entry) && bytes + entry.Size <= Packing.MaxPackBytes &&
                (entry.Previous is null || entry.Previous.Done.Task.IsCompleted || batch.Contains(entry.Previous)))
            {
                _queue.Remove(item);
                batch.Add(entry);
                bytes += entry.Size;
                _queued.Wait(0);
            }

            item = next;
        }

        _smallQueued -= batch.Count;
        _smallQueuedBytes -= bytes;
        return batch;
    }

    /// <summary>
    /// A whole small copy (not a revision of a stored version, nothing sent ahead): its journal row holds its
    /// bytes, and it goes into a pack.
    /// </summary>
    private bool IsPackable(StagedFile file) =>
        file.Length <= Packing.SmallFileLimit && file.Base is null && file.WriteBehind is null;

    private bool IsPackable(JournalEntry entry) => IsPackable(entry.File);

    /// <summary>Stores queued files and records them; retries (they stay queued) until it succeeds or they are dropped.</summary>
    private async Task UploadAsync(List<JournalEntry> batch, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (IsPackable(batch[0]))
                {
                    // A retry after a slice of the pack was recorded stores only the rest (as a pack of its own).
                    List<JournalEntry> left = attempt == 1 ? batch : [.. batch.Where(e => !e.Recorded && !e.Dropped)];
                    if (left.Count > 0)
                    {
                        await StorePackAsync(left, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    await StoreOneAsync(batch[0], cancellationToken).ConfigureAwait(false);
                }

                break;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                TimeSpan delay = TimeSpan.FromSeconds(Math.Min(s_maxRetryDelay.TotalSeconds, Math.Pow(2, Math.Min(attempt, 10)) / 4));
                Log.JournalUploadFailed(_logger, batch.Count == 1 ? batch[0].Node.Path : $"{batch[0].Node.Path} and {batch.Count - 1} more small files", attempt, delay, e.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }

        lock (_gate)
        {
            foreach (JournalEntry entry in batch)
            {
                _outstanding.Remove(entry);
                if (_outstanding.Count == 0)
                {
                    _unsettledSince = null;
                }

                if (entry.Node.Pending == entry)
                {
                    entry.Node.Pending = null; // dropped: the node keeps only what is recorded
                }

                entry.File.Dispose();
                TryFree(entry.Node);
            }
        }

        foreach (JournalEntry entry in batch)
        {
            entry.Done.TrySetResult();
        }
    }

    private async Task StoreOneAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        ObjectWriteResult result = await WriteObjectAsync(entry.File, cancellationToken).ConfigureAwait(false);

        // An earlier close of the same file is recorded first, so versions keep the order of the closes.
        if (entry.Previous is { } previous)
        {
            await AwaitRecordedAsync(previous, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            long seen = _catalog.DataVersion();
            long? id = _catalog.CompletePending(entry.Id, result.Manifest.Serialize(), result.WrappedKey.Serialize(), result.Manifest.PlaintextSize, entry.Attributes, DateTimeOffset.UtcNow);
            Recorded(entry, id, seen);
        }
    }

    /// <summary>
    /// Stores small queued files as one object (their bytes one after another) and records each as the range of
    /// it that holds its bytes, all in one catalog transaction.
    /// </summary>
    private async Task StorePackAsync(List<JournalEntry> batch, CancellationToken cancellationToken)
    {
        byte[] pack = new byte[batch.Sum(e => e.Size)];
        long[] offsets = new long[batch.Count];
        long offset = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            offsets[i] = offset;
            int length = checked((int)batch[i].Size);
            int got = 0;
            while (got < length)
            {
                int read = batch[i].File.Read(got, pack.AsSpan((int)offset + got, length - got));
                if (read == 0)
                {
                    throw new IOException($"The journal's copy of {batch[i].Node.Path} is shorter than the {length} bytes it was closed with.");
                }

                got += read;
            }

            offset += length;
        }

        var writer = new ObjectWriter(
            new ObjectPipelineOptions
            {
                SegmentSize = Math.Min(_config.SegmentSize, Packing.SegmentSize),
                DataFragments = _config.K,
                ParityFragments = _config.M,
                DegreeOfParallelism = ObjectPipelineOptions.TransferWorkersFor(Math.Min(_config.SegmentSize, Packing.SegmentSize)),
            },
            _logger);
        ObjectWriteResult result;
        using (var input = new MemoryStream(pack, writable: false))
        {
            result = await writer.WriteAsync(input, _client.CreateSink(_config.K), _volumeKey, cancellationToken).ConfigureAwait(false);
        }

        Log.PackStored(_logger, batch.Count, pack.Length, result.Manifest.ObjectId);
        KeepInSegmentCache(result.Manifest, pack);
        if (batch[0].Previous is { } previous && !batch.Contains(previous))
        {
            await AwaitRecordedAsync(previous, cancellationToken).ConfigureAwait(false);
        }

        byte[] manifest = result.Manifest.Serialize();
        byte[] key = result.WrappedKey.Serialize();

        // Recorded a slice at a time, in close order, releasing the lock in between: every request that arrives
        // while a transaction holds the lock waits for the rest of it, and a whole pack of 2,048 files took
        // about 30 ms. A crash between slices leaves the rest queued; replay stores them again.
        for (int start = 0; start < batch.Count; start += PackRecordSlice)
        {
            int end = Math.Min(batch.Count, start + PackRecordSlice);
            lock (_gate)
            {
                // Attributes are read under the lock: a chmod after close changes the queued entry until it is recorded.
                PackedCommit[] commits = [.. Enumerable.Range(start, end - start).Select(i => new PackedCommit(batch[i].Id, offsets[i], batch[i].Size, batch[i].Attributes))];
                long seen = _catalog.DataVersion();
                IReadOnlyList<long?> ids = _catalog.CompletePendingPacked(commits, manifest, key, DateTimeOffset.UtcNow);
                for (int i = start; i < end; i++)
                {
                    Recorded(batch[i], ids[i - start], seen);
                }
            }
        }
    }

    /// <summary>
    /// Writes a pack just stored into the segment cache's files, as a fetch would have, before it is recorded.
    /// Files written through the mount mostly bypass the kernel's page cache
    /// (<see cref="Ugloo.Mount.FileSystem.OpenResult.WriteMostly"/>), so without this the first read of a small file
    /// after its upload would fetch its whole pack from the nodes: <c>cp -a</c> then <c>diff -r</c> of a tree of small
    /// files would fetch every pack once. Files only, not the memory tier, where packs would push out the segments
    /// readers fetched; big files are not kept at all (their bytes would push out everything else, and reading one
    /// back soon is the exception). A failure here costs only those fetches: the pack is stored and gets recorded.
    /// </summary>
    private void KeepInSegmentCache(ObjectManifest manifest, byte[] plaintext)
    {
        try
        {
            for (int segment = 0; segment < manifest.SegmentCount; segment++)
            {
                _segments.Put(manifest, segment, plaintext.AsSpan(checked((int)manifest.PlaintextOffset(segment)), manifest.PlaintextLength(segment)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.PackNotCached(_logger, manifest.ObjectId, e);
        }
    }

    /// <summary>Files of a pack recorded per catalog transaction (and per hold of the filesystem lock).</summary>
    private const int PackRecordSlice = 128;

    /// <summary>
    /// Bookkeeping once an entry's version is recorded (or it was dropped). <paramref name="catalogSeen"/> is the
    /// catalog's <c>data_version</c>, read before the commit that recorded it. Caller holds the lock.
    /// </summary>
    private void Recorded(JournalEntry entry, long? id, long catalogSeen)
    {
        entry.Previous = null;
        entry.Recorded = id is not null;
        entry.Dropped = id is null;
        VolumeNode n = entry.Node;
        if (n.Pending == entry)
        {
            n.Pending = null;
            if (id is not null && !n.Detached)
            {
                // data_version was read first, so the version is at least as new as what it tells: the next
                // lookup, stat or unlink of this file (rm after cp, the benchmarks' unlink pass) needs no catalog
                // query until another connection commits.
                n.Version = _catalog.GetLatest(n.Path);
                n.CatalogSeen = catalogSeen;
            }

            if (n.Staged is null)
            {
                n.Attributes = null;
            }
        }
    }
}
