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
    private bool _finished;

    internal FragmentWriter(FragmentStore store, FragmentId id, long length, DataDirectory? directory, string? tempPath, SafeFileHandle? handle, bool verified)
    {
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
    /// <exception cref="InvalidDataException">More bytes than announced; the write is aborted.</exception>
    /// <exception cref="StoreFullException">The disk ran out of space; the write is aborted.</exception>
    public async ValueTask AppendAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (chunk.Length > Length - BytesWritten)
        {
            Abort();
            throw new InvalidDataException($"Fragment {Id} was announced as {Length} bytes; received more.");
        }

        _hash?.Append(chunk.Span);
        if (_handle is not null)
        {
            try
            {
                await RandomAccess.WriteAsync(_handle, chunk, BytesWritten, cancellationToken).ConfigureAwait(false);
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
            RandomAccess.FlushToDisk(_handle);
        }
        catch
        {
            Abort();
            throw;
        }

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
}
