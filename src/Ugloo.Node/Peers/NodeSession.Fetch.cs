using System.Buffers;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Storage;

namespace Ugloo.Node.Peers;

/// <summary>
/// ugloo_fetch. Any connection may fetch: fragments are ciphertext addressed by their hash (DESIGN.md
/// invariant 1). A request for the whole fragment (offset 0, length at least the fragment's) is a verified
/// read: the node hashes what it read before sending a byte, so a rotten file is quarantined and answered
/// "quarantined" instead of being served. Other ranges are read unverified (the fetcher verifies the whole
/// fragment; scrub verifies on schedule). The answer is ugloo_fetch_data chunks of at most
/// <see cref="PeerWireLimits.MaxChunkLength"/> in order until the range is complete (at least one, even for
/// an empty range), or one failure.
/// </summary>
internal sealed partial class NodeSession
{
    private async ValueTask OnFetchAsync(PeerConnection connection, UglooFetch fetch, CancellationToken cancellationToken)
    {
        var id = new FragmentId(fetch.FragmentId);
        if (!_runtime.Store.TryGetLength(id, out long length))
        {
            await FetchFailedAsync(connection, fetch.RequestId, UglooErrorCodes.NotFound, "this node does not hold the fragment", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (fetch.Offset > length)
        {
            await FetchFailedAsync(connection, fetch.RequestId, UglooErrorCodes.BadRequest, $"offset {fetch.Offset} lies beyond the fragment's {length} bytes", cancellationToken).ConfigureAwait(false);
            return;
        }

        long end = Math.Min(length, fetch.Offset + fetch.Length);
        if (fetch.Offset == 0 && end == length)
        {
            await SendWholeAsync(connection, fetch.RequestId, id, length, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SendRangeAsync(connection, fetch.RequestId, id, fetch.Offset, end, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SendWholeAsync(PeerConnection connection, long rid, FragmentId id, long length, CancellationToken cancellationToken)
    {
        // The fragment is held whole in memory to verify it before sending; the gate bounds how many such
        // buffers are being filled at once (the store caps a fragment at MaxFragmentBytes, 64 MiB by default),
        // so the buffer is taken inside it.
        byte[]? buffer = null;
        try
        {
            FragmentReadResult result;
            await _wholeReads.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, length));
                result = await _runtime.Store.ReadAsync(id, buffer.AsMemory(0, (int)length), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _wholeReads.Release();
            }

            switch (result.Status)
            {
                case FragmentReadStatus.NotFound:
                    await FetchFailedAsync(connection, rid, UglooErrorCodes.NotFound, "this node does not hold the fragment", cancellationToken).ConfigureAwait(false);
                    return;
                case FragmentReadStatus.Quarantined:
                    Log.FetchFailed(_logger, id, _remote, "the copy on disk failed its hash check and was quarantined");
                    await FetchFailedAsync(connection, rid, UglooErrorCodes.Quarantined, "the copy on this node failed its hash check and was quarantined", cancellationToken).ConfigureAwait(false);
                    return;
            }

            int chunk = _runtime.ServerOptions.Limits.MaxChunkLength;
            long offset = 0;
            do
            {
                int count = (int)Math.Min(chunk, length - offset);
                await ReplyBorrowingAsync(connection, UglooFetchData.Success(rid, length, offset, buffer.AsMemory((int)offset, count)), cancellationToken).ConfigureAwait(false);
                offset += count;
            }
            while (offset < length);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async ValueTask SendRangeAsync(PeerConnection connection, long rid, FragmentId id, long offset, long end, CancellationToken cancellationToken)
    {
        using FragmentReader? reader = _runtime.Store.TryOpenRead(id);
        if (reader is null)
        {
            await FetchFailedAsync(connection, rid, UglooErrorCodes.NotFound, "this node does not hold the fragment", cancellationToken).ConfigureAwait(false);
            return;
        }

        int chunk = _runtime.ServerOptions.Limits.MaxChunkLength;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, Math.Min(chunk, end - offset)));
        try
        {
            do
            {
                int count = (int)Math.Min(Math.Min(chunk, buffer.Length), end - offset);
                int read = await reader.ReadAsync(offset, buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
                if (read < count)
                {
                    // The file is shorter than the index says (changed behind the store's back): fail the
                    // request rather than leave the fetcher waiting for bytes that will not come.
                    Log.FetchFailed(_logger, id, _remote, "the file on disk is shorter than indexed");
                    await FetchFailedAsync(connection, rid, UglooErrorCodes.NotFound, "the fragment's file on this node is damaged", cancellationToken).ConfigureAwait(false);
                    return;
                }

                await ReplyBorrowingAsync(connection, UglooFetchData.Success(rid, reader.Length, offset, buffer.AsMemory(0, count)), cancellationToken).ConfigureAwait(false);
                offset += count;
            }
            while (offset < end);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ValueTask FetchFailedAsync(PeerConnection connection, long rid, string code, string reason, CancellationToken cancellationToken) =>
        ReplyAsync(connection, UglooFetchData.Failure(rid, code, reason), cancellationToken);
}
