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
                n.Staged = StagedFile.Create(_stagingDirectory);
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
                return staged.Read(offset, destination.Span);
            }

            if (h.Node.Pending is { } pending)
            {
                try
                {
                    return pending.File.Read(offset, destination.Span);
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

            staged.Write(offset, data.Span);
            return data.Length;
        }
        finally
        {
            n.Io.Release();
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
                    await earlier.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
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
                await earlier.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            lock (_gate)
            {
                // An unlink or rename may have raced the upload: the version goes where the node is now.
                if (!n.Detached)
                {
                    _catalog.AddVersion(n.Path, result.Manifest.PlaintextSize, result.Manifest.Serialize(), result.WrappedKey.Serialize(), DateTimeOffset.UtcNow, CurrentAttributes(n));
                    n.Version = _catalog.GetLatest(n.Path);
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
                DegreeOfParallelism = Math.Max(4, Environment.ProcessorCount),
            },
            _logger);
        using FileStream input = staged.OpenRead();
        return await writer.WriteAsync(input, _client.CreateSink(_config.K), _volumeKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Truncates (or extends) the file to <paramref name="size"/> in its staged copy.</summary>
    private async Task TruncateAsync(VolumeNode n, long size, CancellationToken cancellationToken)
    {
        await n.Io.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            StagedFile staged = await StageAsync(n, cancellationToken, copyDown: size > 0).ConfigureAwait(false);
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

        StagedFile staged = StagedFile.Create(_stagingDirectory);
        try
        {
            if (copyDown && pending is not null && CopyLocal(pending.File, staged))
            {
                // copied from the journal's copy
            }
            else if (copyDown && version is { Size: > 0, IsSymlink: false })
            {
                ObjectManifest manifest = ObjectManifest.Deserialize(version.Manifest);
                using ObjectKey key = Unwrap(manifest, version);
                var reader = new ObjectReader(manifest, key, _client.CreateSource(manifest), new ObjectPipelineOptions(), _logger);
                await using (FileStream output = new(staged.FilePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1 << 16))
                {
                    await GuardSwarmAsync(n, () => reader.ReadAsync(output, cancellationToken)).ConfigureAwait(false);
                }

                staged.Loaded(manifest.PlaintextSize);
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

    /// <summary>Copies a queued file into a new staged copy; false if the journal recorded and released it meanwhile.</summary>
    private static bool CopyLocal(StagedFile from, StagedFile to)
    {
        try
        {
            byte[] buffer = new byte[1 << 20];
            long offset = 0;
            int read;
            while ((read = from.Read(offset, buffer)) > 0)
            {
                RandomAccess.Write(to.Handle, buffer.AsSpan(0, read), offset);
                offset += read;
            }

            to.Loaded(offset);
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private async Task<int> ReadVersionAsync(VolumeHandle h, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await h.ReadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                // A handle opened on content that was local then reads what that content became.
                if (h.FollowsNode && h.Node.Version is { } now && now.Id != h.Version?.Id)
                {
                    h.Key?.Dispose();
                    h.Key = null;
                    h.Reader = null;
                    h.CachedSegment = -1;
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
            long size = reader.Manifest.PlaintextSize;
            int total = 0;
            while (total < destination.Length && offset + total < size)
            {
                // Whole segments are fetched and decoded anyway: keep the last one for the next small read.
                long position = offset + total;
                int segment = reader.Manifest.SegmentOf(position);
                if (segment != h.CachedSegment)
                {
                    int length = reader.Manifest.PlaintextLength(segment);
                    byte[] data = h.CachedSegmentData is { } old && old.Length == length ? old : new byte[length];
                    h.CachedSegment = -1;
                    if (!_segments.TryRead(reader.Manifest.ObjectId, segment, data))
                    {
                        long start = reader.Manifest.PlaintextOffset(segment);
                        await GuardSwarmAsync(h.Node, () => reader.ReadAtAsync(start, data, cancellationToken)).ConfigureAwait(false);
                        _segments.Put(reader.Manifest.ObjectId, segment, data);
                    }

                    h.CachedSegmentData = data;
                    h.CachedSegment = segment;
                }

                int within = (int)(position - reader.Manifest.PlaintextOffset(segment));
                int count = Math.Min(destination.Length - total, h.CachedSegmentData!.Length - within);
                h.CachedSegmentData.AsSpan(within, count).CopyTo(destination.Span[total..]);
                total += count;
            }

            return total;
        }
        finally
        {
            h.ReadGate.Release();
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
        ulong id = _nextHandle++;
        _handles.Add(id, new VolumeHandle(node, flags) { Version = node.Version, FollowsNode = node.HasLocalContent || (flags & OpenFlags.Write) != 0 });
        node.OpenCount++;
        return new OpenResult(id);
    }

    private VolumeHandle Handle(ulong handle, ulong node) =>
        _handles.TryGetValue(handle, out VolumeHandle? h) && h.Node.Id == node
            ? h
            : throw new FileSystemException(FileSystemError.BadHandle);
}
