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

            Refresh(n);
        }

        if ((flags & OpenFlags.Write) != 0 && flags.HasFlag(OpenFlags.Truncate))
        {
            await TruncateAsync(n, 0, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            // The page cache may survive the open only if the content is the very version it cached.
            bool keep = n.Staged is null && n.Version is not null && n.Version.Id == n.CachedVersionId;
            n.CachedVersionId = n.Staged is null ? n.Version?.Id ?? 0 : 0;
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
                // A new file exists from now on for this session; its first version is committed on flush/release.
                n = Bind(path, isDirectory: false);
                n.Version = null;
                n.Staged = StagedFile.Create(_stagingDirectory);
                n.Staged.Dirty = true;
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

        // A staged copy is the file's current content for every handle (writes are seen by readers at once).
        await h.Node.Io.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (h.Node.Staged is { } staged)
            {
                return staged.Read(offset, destination.Span);
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

        // Shells open with O_TRUNC, dup2 the descriptor and close the original before writing: that flush
        // would commit an empty version. A file emptied and not written to yet is committed on release.
        if (h.CanWrite && h.Node.Staged is not { Length: 0, Written: false })
        {
            await CommitAsync(h.Node, dropStaging: false, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask FsyncAsync(RequestContext context, ulong node, ulong handle, bool dataOnly, CancellationToken cancellationToken)
    {
        VolumeHandle h;
        lock (_gate)
        {
            h = Handle(handle, node);
        }

        // Returns only once the version is durable in the swarm and recorded (DESIGN.md invariant 4).
        if (!h.Node.IsDirectory)
        {
            await CommitAsync(h.Node, dropStaging: false, cancellationToken).ConfigureAwait(false);
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
            if (h.CanWrite || last)
            {
                await CommitAsync(h.Node, dropStaging: last, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Release cannot report an error (close already returned); the flush before it did.
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
    /// Stores the staged copy as a new version if it changed: the object goes into the swarm first, and only
    /// once the sink reports it durable does the catalog record it. With <paramref name="dropStaging"/> (no
    /// handle left) a clean staged copy is deleted; a failed one is kept on disk.
    /// </summary>
    private async Task CommitAsync(VolumeNode n, bool dropStaging, CancellationToken cancellationToken)
    {
        await n.Io.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (n.Staged is { Dirty: true } staged && !n.Detached)
            {
                ObjectWriteResult result;
                try
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
                    result = await writer.WriteAsync(input, _client.CreateSink(_config.K), _volumeKey, cancellationToken).ConfigureAwait(false);
                }
                catch (DurabilityException e)
                {
                    staged.Keep = true;
                    Log.CommitNotDurable(_logger, n.Id, staged.FilePath, e.Message);
                    throw new FileSystemException(FileSystemError.IOError, e.Message);
                }

                lock (_gate)
                {
                    // An unlink or rename may have raced the upload: the version goes where the node is now.
                    if (!n.Detached)
                    {
                        _catalog.AddVersion(n.Path, result.Manifest.PlaintextSize, result.Manifest.Serialize(), result.WrappedKey.Serialize(), DateTimeOffset.UtcNow);
                        n.Version = _catalog.GetLatest(n.Path);
                    }

                    staged.Dirty = false;
                    staged.Written = false;
                    staged.Keep = false;
                }
            }

            if (dropStaging && n.Staged is { Dirty: false } clean)
            {
                lock (_gate)
                {
                    if (n.OpenCount == 0)
                    {
                        clean.Dispose();
                        n.Staged = null;
                    }
                }
            }
            else if (dropStaging && n.Staged is { } lost && n.Detached)
            {
                // Unlinked while being written and now closed: nothing will ever read it.
                lock (_gate)
                {
                    if (n.OpenCount == 0)
                    {
                        lost.Dispose();
                        n.Staged = null;
                    }
                }
            }
        }
        finally
        {
            n.Io.Release();
        }
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
    /// The node's staged copy, made on first write: the newest version is copied down into it first (unless
    /// <paramref name="copyDown"/> is false, for a truncate to zero). Caller holds <see cref="VolumeNode.Io"/>.
    /// </summary>
    private async Task<StagedFile> StageAsync(VolumeNode n, CancellationToken cancellationToken, bool copyDown = true)
    {
        if (n.Staged is { } existing)
        {
            return existing;
        }

        CatalogVersion? version;
        lock (_gate)
        {
            version = n.Version;
        }

        StagedFile staged = StagedFile.Create(_stagingDirectory);
        try
        {
            if (copyDown && version is { Size: > 0 })
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
            n.Staged = staged;
        }

        return staged;
    }

    private async Task<int> ReadVersionAsync(VolumeHandle h, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await h.ReadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (h.Version is null)
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
                    long start = reader.Manifest.PlaintextOffset(segment);
                    await GuardSwarmAsync(h.Node, () => reader.ReadAtAsync(start, data, cancellationToken)).ConfigureAwait(false);
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
        _handles.Add(id, new VolumeHandle(node, flags) { Version = node.Version });
        node.OpenCount++;
        return new OpenResult(id);
    }

    private VolumeHandle Handle(ulong handle, ulong node) =>
        _handles.TryGetValue(handle, out VolumeHandle? h) && h.Node.Id == node
            ? h
            : throw new FileSystemException(FileSystemError.BadHandle);
}
