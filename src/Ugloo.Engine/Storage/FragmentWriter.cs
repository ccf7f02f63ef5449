using Microsoft.Win32.SafeHandles;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Storage;

/// <summary>
/// One fragment being received in chunks (from <see cref="FragmentStore.BeginWrite"/>). Chunks are appended
/// in order by one caller at a time; the bytes are hashed as they are written, so commit verifies without
/// reading the file back. Dispose without commit aborts: the temp file is deleted and the space released.
/// </summary>
public sealed class FragmentWriter : IAsyncDisposable
{
    private readonly FragmentStore _store;
    private readonly DataDirectory? _directory;
    private readonly string? _tempPath;
    private readonly FragmentHasher? _hash;
    private SafeFileHandle? _handle;
    private AlignedBuffer? _stage;
    private int _staged;
    private long _flushed;
    private bool _finished;

    internal FragmentWriter(FragmentStore store, FragmentId id, long length, DataDirectory? directory, string? tempPath, SafeFileHandle? handle, bool verified, bool direct = false)
    {
        // Direct I/O writes whole aligned blocks from aligned memory: chunks are gathered in a staging
        // buffer and written a full buffer at a time; the last block is padded and the file cut back.
        _stage = direct ? AlignedBuffer.Rent() : null;
        _store = store;
        Id = id;
        Length = length;
        _directory = directory;
        _tempPath = tempPath;
        _handle = handle;

        // StoreAsync hashed the whole buffer before writing; hashing again would only cost time.
        _hash = verified ? null : new FragmentHasher();
    }

    public FragmentId Id { get; }

    /// <summary>Announced length of the fragment.</summary>
    public long Length { get; }

    /// <summary>Bytes appended so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Appends the next chunk.</summary>
    /// <remarks>
    /// The write is a synchronous pwrite on the calling thread. <see cref="RandomAccess.WriteAsync(SafeFileHandle, ReadOnlyMemory{byte}, long, CancellationToken)"/>
    /// on a Unix file does the same blocking call, only on another thread-pool thread after a hand-off
    /// (a work item, a wake-up and a context switch per write, seen in perf on the node's store path); the
    /// caller awaits the append before reading its next message, so the hand-off bought no overlap.
    /// </remarks>
    /// <exception cref="InvalidDataException">More bytes than announced; the write is aborted.</exception>
    /// <exception cref="StoreFullException">The disk ran out of space; the write is aborted.</exception>
    public ValueTask AppendAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            // As a cancelled write did before: the upload is dropped, not left half-written.
            Abort();
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            Append(chunk.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    private void Append(ReadOnlySpan<byte> chunk)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (chunk.Length > Length - BytesWritten)
        {
            Abort();
            throw new InvalidDataException($"Fragment {Id} was announced as {Length} bytes; received more.");
        }

        _hash?.Append(chunk);
        if (_handle is not null)
        {
            try
            {
                if (_stage is null)
                {
                    RandomAccess.Write(_handle, chunk, BytesWritten);
                }
                else
                {
                    Stage(chunk);
                }
            }
            catch (IOException e)
            {
                Abort();
                StoreFullException? full = _store.AsStoreFull(Id, _directory!, Length, e);
                if (full is not null)
                {
                    throw full;
                }

                throw;
            }
            catch
            {
                Abort();
                throw;
            }
        }

        BytesWritten += chunk.Length;
    }

    /// <summary>
    /// Verifies the received bytes against the id, makes them durable and visible. Whatever the outcome the
    /// writer is finished afterwards.
    /// </summary>
    /// <exception cref="InvalidDataException">Fewer bytes than announced.</exception>
    /// <exception cref="FragmentHashMismatchException">The bytes do not hash to the id; nothing is kept.</exception>
    public async Task<StoreOutcome> CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (BytesWritten != Length)
        {
            Abort();
            throw new InvalidDataException($"Fragment {Id} was announced as {Length} bytes; received only {BytesWritten}.");
        }

        if (_hash is not null)
        {
            FragmentId actual = _hash.Finish();
            if (actual != Id)
            {
                Abort();
                _store.LogHashMismatch(Id, actual);
                throw new FragmentHashMismatchException(Id, actual);
            }
        }

        if (_handle is null)
        {
            _finished = true;
            _hash?.Dispose();
            return _store.CompleteDuplicate(Id);
        }

        try
        {
            if (_stage is not null && _staged > 0)
            {
                DirectFile.WriteTail(_handle, _stage.Span, _staged, _flushed);
            }

            RandomAccess.FlushToDisk(_handle);
        }
        catch (IOException e)
        {
            Abort();
            throw (Exception?)_store.AsStoreFull(Id, _directory!, Length, e) ?? e;
        }
        catch
        {
            Abort();
            throw;
        }

        ReturnStage();

        _handle.Dispose();
        _handle = null;
        _finished = true;
        _hash?.Dispose();
        return await _store.PublishAsync(Id, _directory!, _tempPath!, Length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops the write: deletes the temp file and releases the reserved space. Idempotent.</summary>
    public void Abort()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        _hash?.Dispose();
        _handle?.Dispose();
        _handle = null;
        ReturnStage();
        if (_directory is not null)
        {
            _store.AbortWrite(_directory, _tempPath!, Length);
        }
    }

    public ValueTask DisposeAsync()
    {
        Abort();
        return ValueTask.CompletedTask;
    }

    /// <summary>Copies a chunk into the staging buffer, writing each full buffer at its aligned offset.</summary>
    private void Stage(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            int take = Math.Min(chunk.Length, AlignedBuffer.Size - _staged);
            chunk[..take].CopyTo(_stage!.Span[_staged..]);
            _staged += take;
            chunk = chunk[take..];
            if (_staged == AlignedBuffer.Size)
            {
                RandomAccess.Write(_handle!, _stage.Span, _flushed);
                _flushed += AlignedBuffer.Size;
                _staged = 0;
            }
        }
    }

    private void ReturnStage()
    {
        if (_stage is not null)
        {
            AlignedBuffer.Return(_stage);
            _stage = null;
        }
    }
}
