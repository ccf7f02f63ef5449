using Microsoft.Win32.SafeHandles;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Storage;

/// <summary>
/// Writing: bytes go to a temp file in tmp/ of the chosen directory, are hashed as they arrive, and on commit
/// are verified against the id, fsynced, renamed into fragments/ab/cd/ and the leaf directory fsynced. Only
/// then is the fragment visible and acknowledged; a crash at any point leaves either nothing or a temp file
/// that the next <see cref="Open"/> deletes.
/// </summary>
public sealed partial class FragmentStore
{
    /// <summary>
    /// Stores a fragment held in memory. Idempotent: storing an id already held returns
    /// <see cref="StoreOutcome.AlreadyPresent"/> without writing.
    /// </summary>
    /// <exception cref="FragmentHashMismatchException"><paramref name="data"/> does not hash to <paramref name="id"/>.</exception>
    /// <exception cref="StoreFullException">No room: the message says how much is free.</exception>
    public async Task<StoreOutcome> StoreAsync(FragmentId id, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // Check before touching the disk: a bad sender costs one hash, no I/O.
        FragmentId actual = FragmentId.Compute(data.Span);
        if (actual != id)
        {
            Log.StoreHashMismatch(_logger, id, actual);
            throw new FragmentHashMismatchException(id, actual);
        }

        if (Contains(id))
        {
            return StoreOutcome.AlreadyPresent;
        }

        FragmentWriter writer = BeginWriteCore(id, data.Length, verified: true);
        await using (writer.ConfigureAwait(false))
        {
            await writer.AppendAsync(data, cancellationToken).ConfigureAwait(false);
            return await writer.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts receiving a fragment of <paramref name="totalLength"/> bytes that arrives in chunks (the peer wire
    /// sends at most 16 KiB to 1 MiB at a time). Space is reserved now, so a full node refuses before any byte
    /// is sent. Append the chunks in order, then <see cref="FragmentWriter.CommitAsync"/>; disposing without a
    /// commit aborts and deletes the temp file. When the id is already held the writer only hashes what it
    /// receives and its commit returns <see cref="StoreOutcome.AlreadyPresent"/>.
    /// </summary>
    /// <exception cref="StoreFullException">No room for <paramref name="totalLength"/> bytes.</exception>
    public FragmentWriter BeginWrite(FragmentId id, long totalLength) => BeginWriteCore(id, totalLength, verified: false);

    private FragmentWriter BeginWriteCore(FragmentId id, long totalLength, bool verified)
    {
        if (totalLength < 0 || totalLength > _options.MaxFragmentBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(totalLength), totalLength, $"A fragment is 0 to {ByteSize.Format(_options.MaxFragmentBytes)} long.");
        }

        if (Contains(id))
        {
            return new FragmentWriter(this, id, totalLength, directory: null, tempPath: null, handle: null, verified);
        }

        DataDirectory directory;
        try
        {
            directory = Reserve(totalLength);
        }
        catch (StoreFullException e)
        {
            Log.StoreRefused(_logger, id, e.Message);
            throw;
        }

        // The random suffix lets two concurrent writers of one id coexist until the first one publishes.
        string tempPath = Path.Combine(directory.TempPath, $"{id}.{Guid.NewGuid():N}.part");
        SafeFileHandle? handle = null;
        bool direct = false;
        try
        {
            // Preallocating makes a disk that cannot hold the fragment fail here, before any byte is received.
            if (_options.DirectIo && (handle = DirectFile.TryCreate(tempPath)) is not null)
            {
                direct = true;
                DirectFile.Preallocate(handle, totalLength);
            }
            else
            {
                handle = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, totalLength);
            }
        }
        catch (IOException e)
        {
            handle?.Dispose();
            ReleaseReservation(directory, totalLength);
            TryDelete(tempPath);
            if (IsDiskFull(e, directory, totalLength))
            {
                Log.StoreRefused(_logger, id, "disk full");
                throw new StoreFullException(0, totalLength, $"node full: disk of {directory.Root} ran out of space for a fragment of {ByteSize.Format(totalLength)}", e);
            }

            throw;
        }

        return new FragmentWriter(this, id, totalLength, directory, tempPath, handle, verified, direct);
    }

    /// <summary>
    /// For a writer whose write failed (after it deleted its temp file): the <see cref="StoreFullException"/> to
    /// throw instead when the disk ran out, else null and the original exception stands.
    /// </summary>
    internal StoreFullException? AsStoreFull(FragmentId id, DataDirectory directory, long length, IOException exception)
    {
        if (!IsDiskFull(exception, directory, length))
        {
            return null;
        }

        Log.StoreRefused(_logger, id, "disk full");
        return new StoreFullException(0, length, $"node full: disk of {directory.Root} ran out of space for a fragment of {ByteSize.Format(length)}", exception);
    }

    internal void AbortWrite(DataDirectory directory, string tempPath, long length)
    {
        TryDelete(tempPath);
        ReleaseReservation(directory, length);
    }

    internal void LogHashMismatch(FragmentId id, FragmentId actual) => Log.StoreHashMismatch(_logger, id, actual);

    /// <summary>
    /// Makes a verified, fsynced temp file the fragment: rename into its leaf and fsync the leaf. Consumes the
    /// reservation and the temp file whatever happens.
    /// </summary>
    internal async Task<StoreOutcome> PublishAsync(FragmentId id, DataDirectory directory, string tempPath, long length, CancellationToken cancellationToken)
    {
        SemaphoreSlim stripe = StripeOf(id);
        try
        {
            await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            AbortWrite(directory, tempPath, length);
            throw;
        }

        string finalPath = directory.FragmentPath(id);
        bool moved = false;
        try
        {
            // A concurrent writer of the same id won: its copy is verified and durable, so ours is redundant.
            if (_index.ContainsKey(id))
            {
                AbortWrite(directory, tempPath, length);
                return StoreOutcome.AlreadyPresent;
            }

            EnsureLeaf(directory, id.ToString());
            File.Move(tempPath, finalPath, overwrite: true);
            moved = true;
            DirectorySync.Flush(Path.GetDirectoryName(finalPath)!);
            CommitReservation(directory, length);
            _index[id] = new FragmentEntry(directory, length);
            return StoreOutcome.Stored;
        }
        catch (IOException e)
        {
            // Not acknowledged, so not kept: a file whose directory entry may not be durable is removed.
            TryDelete(moved ? finalPath : tempPath);
            ReleaseReservation(directory, length);
            if (IsDiskFull(e, directory, length))
            {
                Log.StoreRefused(_logger, id, "disk full");
                throw new StoreFullException(0, length, $"node full: disk of {directory.Root} ran out of space while publishing a fragment of {ByteSize.Format(length)}", e);
            }

            throw;
        }
        catch
        {
            TryDelete(moved ? finalPath : tempPath);
            ReleaseReservation(directory, length);
            throw;
        }
        finally
        {
            stripe.Release();
        }
    }

    /// <summary>
    /// Creates fragments/ab/cd when missing. A new directory's own entry lives in its parent, so each level
    /// created is made durable by fsyncing the parent; existing leaves (the common case) cost one stat.
    /// </summary>
    private static void EnsureLeaf(DataDirectory directory, string hex)
    {
        string leaf = directory.LeafPath(hex);
        if (Directory.Exists(leaf))
        {
            return;
        }

        string middle = Path.GetDirectoryName(leaf)!;
        bool middleExisted = Directory.Exists(middle);
        Directory.CreateDirectory(leaf);
        if (!middleExisted)
        {
            DirectorySync.Flush(directory.FragmentsPath);
        }

        DirectorySync.Flush(middle);
    }

    /// <summary>Commit of a writer that only hashed because the id was held when it began.</summary>
    internal StoreOutcome CompleteDuplicate(FragmentId id)
    {
        if (!Contains(id))
        {
            throw new IOException($"Fragment {id} was deleted while a duplicate copy was being received and discarded; send it again.");
        }

        return StoreOutcome.AlreadyPresent;
    }
}
