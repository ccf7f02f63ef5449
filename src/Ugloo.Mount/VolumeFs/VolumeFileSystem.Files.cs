using Ugloo.Engine.Catalog;
using Ugloo.Engine.Codec;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.VolumeFs;

/// <summary>Open files: open, create, read, write, flush, release, fsync, and the commit of a staged file.</summary>
internal sealed partial class VolumeFileSystem
{
    /// <summary>Segments a sequential reader's handle fetches ahead of the one it reads (8 MiB each by default).</summary>
    private const int ReadAheadSegments = 3;

    private ObjectWriter? _sendAheadWriter;

    public async ValueTask<OpenResult> OpenAsync(RequestContext context, ulong node, OpenFlags flags, CancellationToken cancellationToken)
    {
        VolumeNode n;
        lock (_gate)
        {
            n = Node(node);
            if (n.IsDirectory)
            {
                throw new FileSystemException((flags & OpenFlags.Write) != 0 ? FileSystemError.IsADirectory : FileSystemError.InvalidArgument);
            }

            if (n.View is not null)
            {
                // A version of the history tree: read-only, and its pages never go stale.
                if ((flags & (OpenFlags.Write | OpenFlags.Truncate)) != 0)
                {
                    throw new FileSystemException(FileSystemError.ReadOnly);
                }

                return NewHandle(n, flags) with { KeepCache = true };
            }

            Refresh(n);
        }

        if ((flags & OpenFlags.Write) != 0 && flags.HasFlag(OpenFlags.Truncate))
        {
            await TruncateAsync(n, 0, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            // The page cache may survive the open only if the content is the very version it cached.
            bool keep = !n.HasLocalContent && n.Version is not null && n.Version.Id == n.CachedVersionId;
            n.CachedVersionId = n.HasLocalContent ? 0 : n.Version?.Id ?? 0;
            return NewHandle(n, flags) with { KeepCache = keep };
        }
    }

    public async ValueTask<CreateResult> CreateAsync(RequestContext context, ulong parent, string name, uint permissions, OpenFlags flags, CancellationToken cancellationToken)
    {
        VolumeNode n;
        lock (_gate)
        {
            VolumeNode directory = Directory(parent);
            string path = ChildPath(directory, name);
            VolumeNode? existing = Resolve(path);
            if (existing is null)
            {
                // A new file exists from now on for this session; its first version is queued at its last close.
                n = Bind(path, isDirectory: false);
                n.Version = null;
                n.Staged = NewStagedFile();
                n.Staged.Dirty = true;
                n.Attributes = new CatalogAttributes(permissions & 0xFFF, context.Uid, context.Gid, Nanoseconds(n.Staged.Modified));
                return new CreateResult(Reference(n), NewHandle(n, flags));
            }

            if (flags.HasFlag(OpenFlags.Exclusive))
            {
                throw new FileSystemException(FileSystemError.Exists);
            }

            if (existing.IsDirectory)
            {
                throw new FileSystemException(FileSystemError.IsADirectory);
            }

            n = existing;
        }

        if (flags.HasFlag(OpenFlags.Truncate))
        {
            await TruncateAsync(n, 0, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            return new CreateResult(Reference(n), NewHandle(n, flags));
        }
    }

    public async ValueTask<int> ReadAsync(RequestContext context, ulong node, ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (offset < 0)
        {
            throw new FileSystemException(FileSystemError.InvalidArgument);
        }

        VolumeHandle h;
        lock (_gate)
        {
            h = Handle(handle, node);
        }

        // Local content (being written, or closed and queued) is the file's content for every handle.
        await h.Node.Io.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (h.Node.Staged is { } staged)
            {
                return await ReadLocalAsync(h.Node, staged, offset, destination, cancellationToken).ConfigureAwait(false);
            }

            if (h.Node.Pending is { } pending)
            {
                try
                {
                    return await ReadLocalAsync(h.Node, pending.File, offset, destination, cancellationToken).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    // Recorded (or dropped) meanwhile: the version it became is read below.
                }
            }
        }
        finally
        {
            h.Node.Io.Release();
        }

        return await ReadVersionAsync(h, offset, destination, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> WriteAsync(RequestContext context, ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        VolumeHandle h;
        lock (_gate)
        {
            h = Handle(handle, node);
            if (!h.CanWrite)
            {
                throw new FileSystemException(FileSystemError.BadHandle);
            }
        }

        VolumeNode n = h.Node;
        await n.Io.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            StagedFile staged = await StageAsync(n, cancellationToken).ConfigureAwait(false);
            if (h.Flags.HasFlag(OpenFlags.Append))
            {
                offset = staged.Length;
            }

            if (offset < 0)
            {
                throw new FileSystemException(FileSystemError.InvalidArgument);
            }

            await PrepareChangeAsync(n, staged, offset, offset + data.Length, Math.Max(staged.Length, offset + data.Length), cancellationToken).ConfigureAwait(false);
            if (staged.Base is null && staged.WriteBehind is null && staged.AppendOnly && offset == staged.Length && offset + data.Length > _config.SegmentSize)
            {
                staged.WriteBehind = new WriteBehind(_config.SegmentSize, _config.K, _config.M, written: offset);
            }

            staged.WriteBehind?.Changing(offset, offset + data.Length);
            staged.Write(offset, data.Span);
            if (context.DropSetId || h.WriteMostly)
            {
                AfterBypassingWrite(n, context, h.WriteMostly, offset, data.Length);
            }

            if (staged.WriteBehind is { } writeBehind)
            {
                writeBehind.Written(staged.Length, (segment, length, ct) => SendAheadAsync(staged, writeBehind, segment, length, ct));
            }
            return data.Length;
        }
        finally
        {
            n.Io.Release();
        }
    }

    /// <summary>
    /// What a write that bypassed the page cache (FOPEN_DIRECT_IO) leaves to the filesystem, in one hold of the lock:
    /// <list type="bullet">
    /// <item><description>With <see cref="RequestContext.DropSetId"/>, what the kernel does itself for a cached write
    /// by a caller without CAP_FSETID (setattr_should_drop_suidgid): set-user-ID goes; set-group-ID goes if group
    /// execute is set, or if the writer is not in the file's group (without group execute the bit means mandatory
    /// locking, which a member's write keeps). Only the writer's effective group is known here, so a writer in the
    /// file's group only through a supplementary group loses the bit where the kernel would keep it: the safer way
    /// to differ. The kernel's cached mode is dropped so stat shows the change.</description></item>
    /// <item><description>Through a write-mostly handle, with another handle open: the kernel dropped the cached
    /// pages the write changes before sending it, but a reader on that other handle may have cached the old bytes
    /// again before the write reached us, and those would outlive it. They are dropped once more, after the reply
    /// (from the request's own thread the kernel could be waiting on a page lock for it).</description></item>
    /// </list>
    /// </summary>
    private void AfterBypassingWrite(VolumeNode n, RequestContext context, bool writeMostly, long offset, int length)
    {
        const uint setUserId = 0x800, setGroupId = 0x400, groupExecute = 0x8;
        IKernelCache? cache;
        bool attributesChanged = false;
        bool othersOpen;
        lock (_gate)
        {
            cache = _kernelCache;
            othersOpen = writeMostly && n.OpenCount > 1;
            if (context.DropSetId)
            {
                CatalogAttributes current = CurrentAttributes(n);
                uint drop = setUserId | ((current.Mode & groupExecute) != 0 || context.Gid != current.Gid ? setGroupId : 0);
                if ((current.Mode & drop) != 0)
                {
                    // The write just made the staged copy dirty: its attributes are the node's until the next commit.
                    n.Attributes = current with { Mode = current.Mode & ~drop };
                    attributesChanged = true;
                }
            }
        }

        if (cache is null)
        {
            return;
        }

        if (attributesChanged)
        {
            cache.InvalidateAttributes(n.Id);
        }

        if (othersOpen && length > 0)
        {
            ulong node = n.Id;
            ThreadPool.UnsafeQueueUserWorkItem(_ => cache.InvalidateContent(node, offset, length), null);
        }
    }

    public async ValueTask FlushAsync(RequestContext context, ulong node, ulong handle, CancellationToken cancellationToken)
    {
        VolumeHandle h;
        lock (_gate)
        {
            h = Handle(handle, node);
        }

        // close(2) queues what was written, before it returns: a file reopened at once (echo a > f; echo b >> f)
        // must not merge two saves into one version. Shells open with O_TRUNC, dup2 the descriptor and close the
        // original before writing: a file emptied and not written to yet is queued at its last close instead.
        if (h.CanWrite && h.Node.Staged is { Dirty: true } staged && !(staged.Length == 0 && !staged.Written))
        {
            await QueueAsync(h.Node, cancellationToken, whileOpen: true).ConfigureAwait(false);
        }

        if (h.CanWrite)
        {
            // Another handle's close may have queued the content, with what this one wrote, and still be waiting
            // for its row to reach the disk (or have given up waiting, interrupted): this close must not return
            // before that either. At once when the row is durable already, as after this handle's own queueing.
            long ticket;
            lock (_gate)
            {
                ticket = h.Node.JournalTicket;
            }

            await WhenJournalDurableAsync(ticket, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask FsyncAsync(RequestContext context, ulong node, ulong handle, bool dataOnly, CancellationToken cancellationToken)
    {
        VolumeHandle h;
        lock (_gate)
        {
            h = Handle(handle, node);
        }

        // Returns only once the content is durable in the swarm and recorded (DESIGN.md invariant 4).
        if (!h.Node.IsDirectory)
        {
            await SyncAsync(h.Node, cancellationToken).ConfigureAwait(false);
            return;
        }

        // fsync of a directory: its entries' changes (unlink, rename, mkdir) survive a power cut from now on.
        lock (_gate)
        {
            _catalog.SyncNamespace();
        }
    }

    public async ValueTask ReleaseAsync(ulong node, ulong handle, CancellationToken cancellationToken)
    {
        VolumeHandle? h;
        bool last;
        lock (_gate)
        {
            if (!_handles.Remove(handle, out h))
            {
                return;
            }

            h.Node.OpenCount--;
            last = h.Node.OpenCount == 0;
        }

        try
        {
            if (last)
            {
                await QueueAsync(h.Node, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Release cannot report an error (close already returned); the staged copy stays on disk.
            Log.CommitOnReleaseFailed(_logger, e, h.Node.Id, h.Node.Staged?.FilePath ?? "-");
        }
        finally
        {
            h.Dispose();
            lock (_gate)
            {
                TryFree(h.Node);
            }
        }
    }

    /// <summary>
    /// fsync: stores the staged copy as a new version now if it changed (the object goes into the swarm first,
    /// and only once the sink reports it durable does the catalog record it), after any earlier close of the
    /// file still in the journal; with nothing staged, waits for the journal to record the file.
    /// </summary>
    private async Task SyncAsync(VolumeNode n, CancellationToken cancellationToken)
    {
        await n.Io.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            StagedFile? staged;
            JournalEntry? earlier;
            lock (_gate)
            {
                staged = n.Staged is { Dirty: true } s && !n.Detached ? s : null;
                earlier = n.Pending;
            }

            if (staged is null)
            {
                if (earlier is not null)
                {
                    await AwaitRecordedAsync(earlier, cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            ObjectWriteResult result;
            try
            {
                result = await WriteObjectAsync(staged, cancellationToken).ConfigureAwait(false);
            }
            catch (DurabilityException e)
            {
                Log.CommitNotDurable(_logger, n.Id, staged.FilePath, e.Message);
                throw new FileSystemException(FileSystemError.IOError, e.Message);
            }

            if (earlier is not null)
            {
                await AwaitRecordedAsync(earlier, cancellationToken).ConfigureAwait(false);
            }

            lock (_gate)
            {
                // An unlink or rename may have raced the upload: the version goes where the node is now.
                if (!n.Detached)
                {
                    _catalog.AddVersion(n.Path, result.Manifest.PlaintextSize, result.Manifest.Serialize(), result.WrappedKey.Serialize(), DateTimeOffset.UtcNow, CurrentAttributes(n));
                    n.Version = _catalog.GetLatest(n.Path);

                    // Later writes and the next commit build on what is now stored: its segments are shared.
                    if (n.Version is { IsTombstone: false, IsSymlink: false } stored && stored.Manifest is not null)
                    {
                        StagedBase? old = staged.Base;
                        staged.Base = StagedBase.Rebase(stored, result.Manifest, old);
                        old?.Dispose();
                        staged.WriteBehind?.Dispose();
                        staged.WriteBehind = null;
                    }
                }

                staged.Dirty = false;
                staged.Written = false;
            }
        }
        finally
        {
            n.Io.Release();
        }
    }

    /// <summary>Encrypts, encodes and stores a staged copy; returns once the swarm holds it durably.</summary>
    private async Task<ObjectWriteResult> WriteObjectAsync(StagedFile staged, CancellationToken cancellationToken)
    {
        var writer = new ObjectWriter(
            new ObjectPipelineOptions
            {
                SegmentSize = _config.SegmentSize,
                DataFragments = _config.K,
                ParityFragments = _config.M,
                DegreeOfParallelism = ObjectPipelineOptions.TransferWorkersFor(_config.SegmentSize),
            },
            _logger);
        if (staged.Base is { SharedCount: > 0 } stagedBase)
        {
            // A revision: only the segments that differ from the base are stored; the version shares the rest.
            int count = ObjectManifest.SegmentCountFor(staged.Length, stagedBase.SegmentSize);
            bool[] rewrite = [.. Enumerable.Range(0, count).Select(i => !stagedBase.IsShared(i))];
            (ObjectKey key, _) = OpenBase(stagedBase);
            var revision = new ObjectRevision(stagedBase.Manifest, staged.Handle, staged.Length, rewrite);
            ObjectManifest manifest = await writer.ReviseAsync(revision, key, _client.CreateSink(stagedBase.Manifest.DataFragments), cancellationToken).ConfigureAwait(false);
            Log.RevisionStored(_logger, stagedBase.Version.Path, revision.RewrittenCount, count);
            return new ObjectWriteResult(manifest, WrappedObjectKey.Deserialize(stagedBase.Version.WrappedKey));
        }

        if (staged.Base is null && staged.WriteBehind is { } writeBehind)
        {
            // Segments sent while the file was written are listed as they are; only the rest is written now.
            IReadOnlyDictionary<int, StoredSegment> ahead = await writeBehind.FinishAsync(cancellationToken).ConfigureAwait(false);
            if (ahead.Count > 0)
            {
                var revision = ObjectRevision.FromStored(writeBehind.Id, writeBehind.SegmentSize, writeBehind.DataFragments, writeBehind.ParityFragments, staged.Handle, staged.Length, ahead);
                ObjectManifest manifest = await writer.ReviseAsync(revision, writeBehind.Key, _client.CreateSink(writeBehind.DataFragments), cancellationToken).ConfigureAwait(false);
                Log.WriteBehindUsed(_logger, staged.FilePath, revision.SegmentCount - revision.RewrittenCount, revision.SegmentCount);
                return new ObjectWriteResult(manifest, _volumeKey.Wrap(writeBehind.Id, writeBehind.Key));
            }
        }

        using Stream input = staged.OpenRead();
        return await writer.WriteAsync(input, _client.CreateSink(_config.K), _volumeKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores one finished segment of a file still being written (<see cref="WriteBehind"/>).</summary>
    private async Task<StoredSegment?> SendAheadAsync(StagedFile staged, WriteBehind writeBehind, int segment, long length, CancellationToken cancellationToken)
    {
        // One segment per send: one worker. The writer is thread-safe and reused (its codec tables are made once).
        ObjectWriter writer = _sendAheadWriter ??= new ObjectWriter(
            new ObjectPipelineOptions { SegmentSize = writeBehind.SegmentSize, DataFragments = writeBehind.DataFragments, ParityFragments = writeBehind.ParityFragments, DegreeOfParallelism = 1 },
            _logger);
        var revision = ObjectRevision.Segments(writeBehind.Id, writeBehind.SegmentSize, writeBehind.DataFragments, writeBehind.ParityFragments, staged.Handle, length, [segment]);
        IReadOnlyDictionary<int, StoredSegment> stored = await writer.StoreSegmentsAsync(revision, writeBehind.Key, _client.CreateSink(writeBehind.DataFragments), cancellationToken).ConfigureAwait(false);
        return stored.GetValueOrDefault(segment);
    }

    /// <summary>
    /// A segment's plaintext: from the segment cache (memory, then disk), else from the swarm (then cached). The
    /// caller holds a reference to the buffer and releases it when done (or hands it on); the array may be shared
    /// with other readers through the cache: never write into it.
    /// </summary>
    private async Task<SegmentBuffer> LoadSegmentAsync(ObjectReader reader, int segment, CancellationToken cancellationToken)
    {
        ObjectManifest manifest = reader.Manifest;
        if (_segments.TryGet(manifest, segment) is { } cached)
        {
            return cached;
        }

        SegmentBuffer data = _segments.Buffers.Rent(manifest.PlaintextLength(segment));
        try
        {
            await reader.ReadSegmentAsync(segment, data.Array, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            data.Release();
            throw;
        }

        _segments.Add(manifest, segment, data);
        return data;
    }

    /// <summary>The same, with the swarm's "cannot read" failures turned into EIO.</summary>
    private async Task<SegmentBuffer> LoadSegmentAsync(VolumeNode n, ObjectReader reader, int segment, CancellationToken cancellationToken)
    {
        SegmentBuffer? data = null;
        await GuardSwarmAsync(n, async () => data = await LoadSegmentAsync(reader, segment, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        return data!;
    }

    /// <summary>The base version's key and a reader of it, made once per staged copy.</summary>
    private (ObjectKey Key, ObjectReader Reader) OpenBase(StagedBase stagedBase) =>
        stagedBase.Open(() =>
        {
            ObjectKey key = Unwrap(stagedBase.Manifest, stagedBase.Version);
            return (key, new ObjectReader(stagedBase.Manifest, key, _client.CreateSource(stagedBase.Manifest), new ObjectPipelineOptions { DegreeOfParallelism = 2 }, _logger));
        });

    /// <summary>Plaintext of the base's segment <paramref name="segment"/>: from memory, the segment cache, or the swarm.</summary>
    private async Task<byte[]> ReadBaseSegmentAsync(VolumeNode n, StagedBase stagedBase, int segment, CancellationToken cancellationToken)
    {
        if (stagedBase.TryGetCached(segment, out byte[] cached))
        {
            return cached;
        }

        (_, ObjectReader reader) = OpenBase(stagedBase);
        SegmentBuffer data = await LoadSegmentAsync(n, reader, segment, cancellationToken).ConfigureAwait(false);
        stagedBase.SetCached(segment, data);
        return data.Array;
    }

    /// <summary>Reads a staged (or queued) copy: its own bytes, and the segments it still shares from its base.</summary>
    private async Task<int> ReadLocalAsync(VolumeNode n, StagedFile file, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (file.Base is not { } stagedBase)
        {
            return file.Read(offset, destination.Span);
        }

        int segmentSize = stagedBase.SegmentSize;
        int total = 0;
        long length = file.Length;
        while (total < destination.Length && offset + total < length)
        {
            long position = offset + total;
            int segment = (int)(position / segmentSize);
            long segmentEnd = Math.Min((long)(segment + 1) * segmentSize, length);
            int count = (int)Math.Min(destination.Length - total, segmentEnd - position);
            if (stagedBase.ReadsFromBase(segment))
            {
                byte[] data = await ReadBaseSegmentAsync(n, stagedBase, segment, cancellationToken).ConfigureAwait(false);
                data.AsSpan((int)(position - ((long)segment * segmentSize)), count).CopyTo(destination.Span[total..]);
            }
            else
            {
                count = file.Read(position, destination.Span.Slice(total, count));
                if (count == 0)
                {
                    break;
                }
            }

            total += count;
        }

        return total;
    }

    /// <summary>
    /// Before bytes [<paramref name="start"/>, <paramref name="end"/>) are written and the length becomes
    /// <paramref name="newLength"/>: fetches the shared segments the change alters only in part (a partial write,
    /// or a length change that moves the end through one or changes which segment is last), and unshares every
    /// segment the change touches. Caller holds <see cref="VolumeNode.Io"/>.
    /// </summary>
    private async Task PrepareChangeAsync(VolumeNode n, StagedFile staged, long start, long end, long newLength, CancellationToken cancellationToken)
    {
        if (staged.Base is not { } stagedBase)
        {
            return;
        }

        if (newLength == 0)
        {
            // Cut to nothing: no byte of the base is left to share or fetch.
            staged.Base = null;
            stagedBase.Dispose();
            return;
        }

        int segmentSize = stagedBase.SegmentSize;
        ObjectManifest manifest = stagedBase.Manifest;
        if (end > start)
        {
            for (int i = (int)(start / segmentSize); i <= (int)((end - 1) / segmentSize); i++)
            {
                if (!stagedBase.IsShared(i))
                {
                    continue;
                }

                long segmentStart = (long)i * segmentSize;
                if (start > segmentStart || end < segmentStart + manifest.PlaintextLength(i))
                {
                    await MaterializeAsync(n, staged, stagedBase, i, cancellationToken).ConfigureAwait(false);
                }

                stagedBase.Unshare(i);
            }
        }

        long oldLength = staged.Length;
        if (newLength == oldLength)
        {
            return;
        }

        int oldCount = ObjectManifest.SegmentCountFor(oldLength, segmentSize);
        int newCount = ObjectManifest.SegmentCountFor(newLength, segmentSize);
        for (int i = newCount; i < manifest.SegmentCount; i++)
        {
            stagedBase.Unshare(i); // cut off
        }

        foreach (int i in new[] { oldCount - 1, newCount - 1, manifest.SegmentCount - 1 }.Distinct())
        {
            if (i >= 0 && i < newCount && stagedBase.IsShared(i) && ObjectRevision.MustRewrite(manifest, newLength, i))
            {
                await MaterializeAsync(n, staged, stagedBase, i, cancellationToken).ConfigureAwait(false);
                stagedBase.Unshare(i);
            }
        }
    }

    /// <summary>Fetches a shared segment into the staged file so it can be changed in part or sealed anew.</summary>
    private async Task MaterializeAsync(VolumeNode n, StagedFile staged, StagedBase stagedBase, int segment, CancellationToken cancellationToken)
    {
        if (!stagedBase.ReadsFromBase(segment))
        {
            return;
        }

        byte[] data = await ReadBaseSegmentAsync(n, stagedBase, segment, cancellationToken).ConfigureAwait(false);
        staged.Fill((long)segment * stagedBase.SegmentSize, data);
        stagedBase.MarkLocal(segment);
    }

    /// <summary>Truncates (or extends) the file to <paramref name="size"/> in its staged copy.</summary>
    private async Task TruncateAsync(VolumeNode n, long size, CancellationToken cancellationToken)
    {
        await n.Io.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            StagedFile staged = await StageAsync(n, cancellationToken, copyDown: size > 0).ConfigureAwait(false);
            await PrepareChangeAsync(n, staged, size, size, size, cancellationToken).ConfigureAwait(false);
            staged.WriteBehind?.Changing(size, Math.Max(staged.Length, size));
            staged.SetLength(size);
        }
        finally
        {
            n.Io.Release();
        }
    }

    /// <summary>
    /// The node's staged copy, made on first write: the current content (queued in the journal, else the
    /// newest version) is copied into it first, unless <paramref name="copyDown"/> is false (a truncate to
    /// zero). Caller holds <see cref="VolumeNode.Io"/>.
    /// </summary>
    private async Task<StagedFile> StageAsync(VolumeNode n, CancellationToken cancellationToken, bool copyDown = true)
    {
        if (n.Staged is { } existing)
        {
            return existing;
        }

        CatalogVersion? version;
        JournalEntry? pending;
        lock (_gate)
        {
            version = n.Version;
            pending = n.Pending;
        }

        StagedFile staged = NewStagedFile();
        try
        {
            if (copyDown && pending is not null && CopyLocal(pending.File, staged))
            {
                // copied from the journal's copy (its own bytes; the segments it shares stay shared)
            }
            else
            {
                if (copyDown && pending is not null)
                {
                    // The queued copy was recorded meanwhile: build on the version it became.
                    lock (_gate)
                    {
                        version = n.Version;
                    }
                }

                if (copyDown && version is { Size: > 0, IsSymlink: false, IsPacked: true, Manifest: not null })
                {
                    // A small file packed with others: its few bytes are copied down (a revision shares whole
                    // segments of its own object, and a pack's segments are not this file's to share).
                    await CopyDownPackedAsync(n, version, staged, cancellationToken).ConfigureAwait(false);
                }
                else if (copyDown && version is { Size: > 0, IsSymlink: false, Manifest: not null })
                {
                    // Nothing is copied down: segments are fetched when a write changes part of one.
                    ObjectManifest manifest = ObjectManifest.Deserialize(version.Manifest);
                    staged.StartOver(StagedBase.AllShared(version, manifest), manifest.PlaintextSize);
                }
            }
        }
        catch
        {
            staged.Dispose();
            throw;
        }

        lock (_gate)
        {
            n.Attributes = CurrentAttributes(n);
            n.Staged = staged;
        }

        return staged;
    }

    /// <summary>
    /// A new staged copy, held in memory while it is no bigger than a file whose journal row keeps its bytes
    /// (<see cref="PackOptions.SmallFileLimit"/>): such a copy never needs a file of its own.
    /// </summary>
    private StagedFile NewStagedFile() => StagedFile.Create(_stagingDirectory, _stagingMemory, Packing.SmallFileLimit);

    /// <summary>Copies a packed small file's bytes (a range of its pack object) into an empty staged copy.</summary>
    private async Task CopyDownPackedAsync(VolumeNode n, CatalogVersion version, StagedFile staged, CancellationToken cancellationToken)
    {
        ObjectManifest manifest = ObjectManifest.Deserialize(version.Manifest);
        using ObjectKey key = Unwrap(manifest, version);
        var reader = new ObjectReader(manifest, key, _client.CreateSource(manifest), new ObjectPipelineOptions { DegreeOfParallelism = 2 }, _logger);
        long start = version.ContentOffset, end = start + version.Size;
        for (int segment = manifest.SegmentOf(start); segment < manifest.SegmentCount && manifest.PlaintextOffset(segment) < end; segment++)
        {
            SegmentBuffer data = await LoadSegmentAsync(n, reader, segment, cancellationToken).ConfigureAwait(false);
            try
            {
                long from = Math.Max(start, manifest.PlaintextOffset(segment));
                long to = Math.Min(end, manifest.PlaintextOffset(segment) + data.Length);
                staged.Fill(from - start, data.Array.AsSpan((int)(from - manifest.PlaintextOffset(segment)), (int)(to - from)));
            }
            finally
            {
                data.Release();
            }
        }

        staged.Loaded(version.Size);
    }

    /// <summary>Copies a queued file into a new staged copy; false if the journal recorded and released it meanwhile.</summary>
    private static bool CopyLocal(StagedFile from, StagedFile to)
    {
        try
        {
            if (from.Base is { } fromBase)
            {
                // Only the queued copy's own segments: the shared ones are the base's, for both copies.
                StagedBase shared = fromBase.Clone();
                to.StartOver(shared, from.Length);
                byte[] segment = new byte[fromBase.SegmentSize];
                for (int i = 0; (long)i * fromBase.SegmentSize < from.Length; i++)
                {
                    if (!fromBase.IsShared(i))
                    {
                        int got = from.Read((long)i * fromBase.SegmentSize, segment);
                        to.Fill((long)i * fromBase.SegmentSize, segment.AsSpan(0, got));
                    }
                }

                return true;
            }

            byte[] buffer = new byte[(int)Math.Min(1 << 20, Math.Max(from.Length, 1))];
            long offset = 0;
            int read;
            while ((read = from.Read(offset, buffer)) > 0)
            {
                to.Fill(offset, buffer.AsSpan(0, read));
                offset += read;
            }

            to.Loaded(offset);
            return true;
        }
        catch (ObjectDisposedException)
        {
            to.Reset();
            return false;
        }
    }

    private async Task<int> ReadVersionAsync(VolumeHandle h, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await h.ReadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Closed while this read waited (only an unmount does that to a handle in use): EBADF, not an error.
            if (h.IsDisposed)
            {
                throw new FileSystemException(FileSystemError.BadHandle);
            }

            lock (_gate)
            {
                // A handle opened on content that was local then reads what that content became.
                if (h.FollowsNode && h.Node.Version is { } now && now.Id != h.Version?.Id)
                {
                    h.Key?.Dispose();
                    h.Key = null;
                    h.Reader = null;
                    h.SetCachedSegment(-1, null);
                    h.ClearReadAhead();
                    h.Version = now;
                }
            }

            if (h.Version is null || h.Version.IsSymlink)
            {
                return 0;
            }

            if (h.Reader is null)
            {
                ObjectManifest manifest = ObjectManifest.Deserialize(h.Version.Manifest);
                h.Key = Unwrap(manifest, h.Version);
                h.Reader = new ObjectReader(manifest, h.Key, _client.CreateSource(manifest), new ObjectPipelineOptions { DegreeOfParallelism = 2 }, _logger);
            }

            ObjectReader reader = h.Reader;

            // A packed small file is bytes [start, end) of its pack object; any other version is its whole object.
            long start = h.Version.ContentOffset;
            long end = h.Version.IsPacked ? start + h.Version.Size : reader.Manifest.PlaintextSize;
            int total = 0;
            while (total < destination.Length && start + offset + total < end)
            {
                // Whole segments are fetched and decoded anyway: keep the last one for the next small read.
                long position = start + offset + total;
                int segment = reader.Manifest.SegmentOf(position);
                if (segment != h.CachedSegment)
                {
                    bool sequential = segment == h.CachedSegment + 1;
                    h.SetCachedSegment(-1, null);
                    SegmentBuffer? data = null;
                    if (h.ReadAhead.Remove(segment, out Task<SegmentBuffer?>? ahead))
                    {
                        // Null when the fetch ahead failed: fetched again below, where a failure is reported.
                        try
                        {
                            data = await ahead.WaitAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            // This read was interrupted: the fetch's result, when it comes, is nobody's.
                            SegmentBuffer.ReleaseWhenDone(ahead);
                            throw;
                        }
                    }

                    data ??= await LoadSegmentAsync(h.Node, reader, segment, cancellationToken).ConfigureAwait(false);

                    h.SetCachedSegment(segment, data);
                    if ((sequential || segment == 0) && !h.Version.IsPacked)
                    {
                        ReadAheadFrom(h, reader, segment);
                    }
                }

                int within = (int)(position - reader.Manifest.PlaintextOffset(segment));
                int count = (int)Math.Min(Math.Min(destination.Length - total, h.CachedSegmentData!.Length - within), end - position);
                h.CachedSegmentData.Array.AsSpan(within, count).CopyTo(destination.Span[total..]);
                total += count;
            }

            return total;
        }
        finally
        {
            h.ReadGate.Release();
        }
    }

    /// <summary>
    /// A handle reading front to back: fetches the next <see cref="ReadAheadSegments"/> segments in the background
    /// (into the segment cache too), so the nodes' latency overlaps the reader instead of stalling it at every
    /// segment. Fetches for segments the reader skipped are left to finish (they fill the cache). Caller holds
    /// the handle's read gate.
    /// </summary>
    private void ReadAheadFrom(VolumeHandle h, ObjectReader reader, int segment)
    {
        foreach (int stale in h.ReadAhead.Keys.Where(k => k <= segment).ToArray())
        {
            if (h.ReadAhead.Remove(stale, out Task<SegmentBuffer?>? fetch))
            {
                SegmentBuffer.ReleaseWhenDone(fetch);
            }
        }

        ObjectManifest manifest = reader.Manifest;
        CancellationToken stop = h.ReadAheadStop.Token;
        for (int next = segment + 1; next <= segment + ReadAheadSegments && next < manifest.SegmentCount; next++)
        {
            if (h.ReadAhead.ContainsKey(next))
            {
                continue;
            }

            int index = next;
            h.ReadAhead[index] = Task.Run(
                async () =>
                {
                    try
                    {
                        return await LoadSegmentAsync(reader, index, stop).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        return null;
                    }
                },
                CancellationToken.None);
        }
    }

    private ObjectKey Unwrap(ObjectManifest manifest, CatalogVersion version)
    {
        try
        {
            return _volumeKey.Unwrap(manifest.ObjectId, WrappedObjectKey.Deserialize(version.WrappedKey));
        }
        catch (AuthenticationFailedException e)
        {
            throw new FileSystemException(FileSystemError.IOError, $"the volume key cannot open this version: {e.Message}");
        }
    }

    /// <summary>Turns the swarm's "cannot read" failures into EIO with the reason logged.</summary>
    private async Task GuardSwarmAsync(VolumeNode n, Func<Task> read)
    {
        try
        {
            await read().ConfigureAwait(false);
        }
        catch (Exception e) when (e is InsufficientFragmentsException or SegmentAuthenticationException or PeerUnavailableException)
        {
            Log.SwarmReadFailed(_logger, n.Id, e.Message);
            throw new FileSystemException(FileSystemError.IOError, e.Message);
        }
    }

    private OpenResult NewHandle(VolumeNode node, OpenFlags flags)
    {
        // A copy or a download (a write-only handle, or one on a file that is empty now) writes bytes nobody has
        // read: the kernel need not keep a copy of them. A handle that reads existing content keeps the cache.
        bool writeMostly = (flags & OpenFlags.Write) != 0 && node.View is null && !node.IsDirectory
            && ((flags & OpenFlags.Read) == 0 || node.ContentLength == 0);
        ulong id = _nextHandle++;
        _handles.Add(id, new VolumeHandle(node, flags) { Version = node.Version, FollowsNode = node.HasLocalContent || (flags & OpenFlags.Write) != 0, WriteMostly = writeMostly });
        node.OpenCount++;
        return new OpenResult(id, WriteMostly: writeMostly);
    }

    private VolumeHandle Handle(ulong handle, ulong node) =>
        _handles.TryGetValue(handle, out VolumeHandle? h) && h.Node.Id == node
            ? h
            : throw new FileSystemException(FileSystemError.BadHandle);
}
