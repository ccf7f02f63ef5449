using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Storage;

/// <summary>
/// Reading and checking. A full read hashes what it read and never returns bytes that fail the check: the
/// file is moved to quarantine/ and the read reports <see cref="FragmentReadStatus.Quarantined"/>. Range reads
/// (16 KiB blocks for the peer wire) are not verified per block; the receiver verifies the whole fragment
/// against its id, and scrub calls <see cref="VerifyAsync"/> on a schedule.
/// </summary>
public sealed partial class FragmentStore
{
    // Verification streams the file through a pooled buffer of this size instead of loading it whole.
    private const int VerifyBufferBytes = 1 << 20;

    /// <summary>
    /// Reads the whole fragment into <paramref name="destination"/> (at least its length, see
    /// <see cref="TryGetLength"/>) and verifies it. On a failed check the destination is cleared.
    /// </summary>
    public async Task<FragmentReadResult> ReadAsync(FragmentId id, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (!_index.TryGetValue(id, out FragmentEntry? entry))
        {
            return new FragmentReadResult(FragmentReadStatus.NotFound, 0);
        }

        if (destination.Length < entry.Length)
        {
            throw new ArgumentException($"Fragment {id} is {entry.Length} bytes; the destination holds {destination.Length}.", nameof(destination));
        }

        Memory<byte> target = destination[..(int)entry.Length];
        string? failure;
        try
        {
            using SafeFileHandle handle = OpenRead(entry, id);
            failure = RandomAccess.GetLength(handle) != entry.Length
                ? "length changed on disk"
                : ReadExactly(handle, target.Span);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            await ForgetVanishedAsync(id, entry, cancellationToken).ConfigureAwait(false);
            return new FragmentReadResult(FragmentReadStatus.NotFound, 0);
        }

        if (failure is null && !id.Matches(target.Span))
        {
            failure = "hash mismatch";
        }

        if (failure is not null)
        {
            target.Span.Clear();
            await QuarantineAsync(id, entry, failure, cancellationToken).ConfigureAwait(false);
            return new FragmentReadResult(FragmentReadStatus.Quarantined, 0);
        }

        return new FragmentReadResult(FragmentReadStatus.Ok, target.Length);
    }

    /// <summary>Reads and verifies a whole fragment into a new array; null when not held or quarantined by this read.</summary>
    public async Task<byte[]?> ReadAllAsync(FragmentId id, CancellationToken cancellationToken)
    {
        if (!TryGetLength(id, out long length))
        {
            return null;
        }

        byte[] buffer = new byte[length];
        FragmentReadResult result = await ReadAsync(id, buffer, cancellationToken).ConfigureAwait(false);
        return result.Status == FragmentReadStatus.Ok ? buffer : null;
    }

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/>, unverified (see the
    /// type's remarks). BytesRead is short only at the end of the fragment.
    /// </summary>
    public async Task<FragmentReadResult> ReadAsync(FragmentId id, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        using FragmentReader? reader = TryOpenRead(id);
        if (reader is null)
        {
            return new FragmentReadResult(FragmentReadStatus.NotFound, 0);
        }

        int read = await reader.ReadAsync(offset, destination, cancellationToken).ConfigureAwait(false);
        return new FragmentReadResult(FragmentReadStatus.Ok, read);
    }

    /// <summary>
    /// Opens a held fragment for unverified range reads (serving many blocks from one open), or null when it
    /// is not held. The reader keeps working if the fragment is deleted or quarantined meanwhile.
    /// </summary>
    public FragmentReader? TryOpenRead(FragmentId id)
    {
        if (!_index.TryGetValue(id, out FragmentEntry? entry))
        {
            return null;
        }

        try
        {
            return new FragmentReader(id, OpenRead(entry, id), entry.Length);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Deleted between the lookup and the open, or behind our back; the next full read cleans the index.
            return null;
        }
    }

    /// <summary>
    /// Re-hashes a held fragment (scrub). A fragment that fails is quarantined and no longer held.
    /// </summary>
    public async Task<FragmentReadStatus> VerifyAsync(FragmentId id, CancellationToken cancellationToken)
    {
        if (!_index.TryGetValue(id, out FragmentEntry? entry))
        {
            return FragmentReadStatus.NotFound;
        }

        string? failure;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(VerifyBufferBytes, Math.Max(entry.Length, 1)));
        try
        {
            using SafeFileHandle handle = OpenRead(entry, id);
            using var hash = new FragmentHasher();
            long offset = 0;
            while (true)
            {
                int read = await RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                hash.Append(buffer.AsSpan(0, read));
                offset += read;
            }

            failure = offset != entry.Length
                ? "length changed on disk"
                : hash.Finish() != id ? "hash mismatch" : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            await ForgetVanishedAsync(id, entry, cancellationToken).ConfigureAwait(false);
            return FragmentReadStatus.NotFound;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (failure is not null)
        {
            await QuarantineAsync(id, entry, failure, cancellationToken).ConfigureAwait(false);
            return FragmentReadStatus.Quarantined;
        }

        return FragmentReadStatus.Ok;
    }

    // FileShare.Delete: a reader must not stop a delete or a quarantine move (Windows; Unix never blocks them).
    private static SafeFileHandle OpenRead(FragmentEntry entry, FragmentId id) =>
        File.OpenHandle(entry.Directory.FragmentPath(id), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);

    // Synchronous for the reason FragmentWriter.AppendAsync gives: RandomAccess.ReadAsync on a Unix file is the
    // same blocking pread handed to another thread-pool thread, and the caller awaits it anyway.
    private static string? ReadExactly(SafeFileHandle handle, Span<byte> target)
    {
        int done = 0;
        while (done < target.Length)
        {
            int read = RandomAccess.Read(handle, target[done..], done);
            if (read == 0)
            {
                return "file shorter than indexed";
            }

            done += read;
        }

        return null;
    }

    /// <summary>
    /// Moves a fragment that failed its check to quarantine/ and drops it from the index, unless the entry was
    /// replaced meanwhile (deleted and stored again, good this time): then the new file is left alone.
    /// </summary>
    private async Task QuarantineAsync(FragmentId id, FragmentEntry entry, string reason, CancellationToken cancellationToken)
    {
        // The move happens under the stripe lock: a writer publishing a good copy of the same id takes
        // that lock too, so the bad file can never be confused with its replacement.
        await ForgetEntryAsync(id, entry, () =>
        {
            Log.FragmentQuarantined(_logger, id, entry.Directory.Root, reason);
            MoveToQuarantine(entry.Directory, entry.Directory.FragmentPath(id), id.ToString());
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task ForgetVanishedAsync(FragmentId id, FragmentEntry entry, CancellationToken cancellationToken)
    {
        await ForgetEntryAsync(id, entry, () => Log.FragmentVanished(_logger, id, entry.Directory.Root), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops <paramref name="entry"/> from the index and the accounting and runs <paramref name="thenUnderLock"/>,
    /// all under the id's stripe lock; does nothing when the index holds another entry for the id (it was
    /// replaced meanwhile) or none.
    /// </summary>
    private async Task ForgetEntryAsync(FragmentId id, FragmentEntry entry, Action thenUnderLock, CancellationToken cancellationToken)
    {
        SemaphoreSlim stripe = StripeOf(id);
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_index.TryGetValue(id, out FragmentEntry? current) || !ReferenceEquals(current, entry))
            {
                return;
            }

            _index.TryRemove(id, out _);
            lock (_accounting)
            {
                entry.Directory.UsedBytes -= entry.Length;
                entry.Directory.FragmentCount--;
                _usedBytes -= entry.Length;
            }

            thenUnderLock();
        }
        finally
        {
            stripe.Release();
        }
    }
}
