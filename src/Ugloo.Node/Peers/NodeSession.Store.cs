using Ugloo.Engine;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Storage;

namespace Ugloo.Node.Peers;

/// <summary>
/// ugloo_store: uploads keyed by rid, several of which may interleave on one connection. Chunks of one rid
/// come in order and contiguous; the first opens a <see cref="FragmentWriter"/> (which reserves the space),
/// each is appended before the next message is read, the last commits (hash check, fsync, rename). One
/// ugloo_store_result per rid: on commit, or at the first error, after which the rest of that rid is read
/// and dropped.
/// </summary>
internal sealed partial class NodeSession
{
    /// <summary>
    /// Uploads with an open writer at once on one connection. Each holds a temp file and its reserved space;
    /// a peer that opens more is told "busy" for the extra ones.
    /// </summary>
    internal const int MaxOpenUploads = 256;

    /// <summary>
    /// All tracked rids (open plus failed ones still draining). Failed entries are a few dozen bytes each; a
    /// peer that leaves more than this many uploads unfinished is broken or hostile and is disconnected.
    /// </summary>
    internal const int MaxTrackedUploads = 4096;

    /// <summary>
    /// Code for an unexpected local I/O failure (a disk error). Not one of the documented codes, which is what
    /// protocol readers treat as a generic failure: the sender places the fragment elsewhere.
    /// </summary>
    internal const string IoErrorCode = "io_error";

    private readonly Dictionary<long, Upload> _uploads = [];
    private int _openUploads;

    /// <summary>Drops every unfinished upload: nothing half-written becomes visible. Called when the connection ends.</summary>
    public void AbortUploads()
    {
        int aborted = 0;
        foreach (Upload upload in _uploads.Values)
        {
            if (upload.Writer is { } writer)
            {
                writer.Abort();
                upload.Writer = null;
                aborted++;
            }
        }

        _uploads.Clear();
        _openUploads = 0;
        if (aborted > 0)
        {
            Log.UploadsAborted(_logger, aborted, _remote);
        }
    }

    private async ValueTask OnStoreAsync(PeerConnection connection, UglooStore chunk, CancellationToken cancellationToken)
    {
        long rid = chunk.RequestId;
        var id = new FragmentId(chunk.FragmentId);
        long end = chunk.Offset + chunk.Data.Length;
        bool last = end == chunk.TotalLength;

        if (!connection.IsAuthenticated)
        {
            // Answer once per rid (at its first chunk) and keep no state: later chunks are dropped.
            if (chunk.Offset == 0)
            {
                await RefuseAsync(connection, rid, id, UglooErrorCodes.Unauthorized, "storing needs cluster membership; this connection did not pass ugloo_auth", cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (_uploads.TryGetValue(rid, out Upload? upload))
        {
            if (upload.Writer is null)
            {
                // Failed earlier: drain silently until its last chunk.
                if (last)
                {
                    _uploads.Remove(rid);
                }

                return;
            }

            if (chunk.Offset != upload.Next || chunk.TotalLength != upload.Total || id != upload.Id)
            {
                string reason = $"chunk [{chunk.Offset}, +{chunk.Data.Length}) of {chunk.TotalLength} bytes does not continue rid {rid} at {upload.Next} of {upload.Total} bytes";
                await FailAsync(connection, rid, upload, last, UglooErrorCodes.BadRequest, reason, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            upload = new Upload(id, chunk.TotalLength) { Segment = chunk.Segment };
            string? refusal = chunk.Offset != 0 ? $"rid {rid} starts at offset {chunk.Offset}; an upload starts at 0 (its first chunk was refused or never sent)"
                : chunk.TotalLength > _runtime.StoreOptions.MaxFragmentBytes ? $"a fragment of {ByteSize.Format(chunk.TotalLength)} exceeds this node's limit of {ByteSize.Format(_runtime.StoreOptions.MaxFragmentBytes)}"
                : _openUploads >= MaxOpenUploads ? $"{MaxOpenUploads} uploads already in progress on this connection"
                : null;
            if (refusal is not null)
            {
                string refusalCode = chunk.Offset != 0 ? UglooErrorCodes.BadRequest
                    : chunk.TotalLength > _runtime.StoreOptions.MaxFragmentBytes ? UglooErrorCodes.TooLarge
                    : UglooErrorCodes.Busy;
                await FailAsync(connection, rid, upload, last, refusalCode, refusal, cancellationToken).ConfigureAwait(false);
                return;
            }

            try
            {
                upload.Writer = _runtime.Store.BeginWrite(id, chunk.TotalLength);
            }
            catch (StoreFullException e)
            {
                await FailAsync(connection, rid, upload, last, UglooErrorCodes.Full, e.Message, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (IOException e)
            {
                await FailAsync(connection, rid, upload, last, IoErrorCode, e.Message, cancellationToken).ConfigureAwait(false);
                return;
            }

            _uploads[rid] = upload;
            _openUploads++;
        }

        if (chunk.Data.Length > _runtime.ServerOptions.Limits.MaxChunkLength)
        {
            await FailAsync(connection, rid, upload, last, UglooErrorCodes.BadRequest, $"chunk of {chunk.Data.Length} bytes exceeds {_runtime.ServerOptions.Limits.MaxChunkLength}", cancellationToken).ConfigureAwait(false);
            return;
        }

        FragmentWriter writer = upload.Writer!;
        try
        {
            await writer.AppendAsync(chunk.Data, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreFullException e)
        {
            await FailAsync(connection, rid, upload, last, UglooErrorCodes.Full, e.Message, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (IOException e)
        {
            await FailAsync(connection, rid, upload, last, IoErrorCode, e.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        upload.Next = end;
        if (!last)
        {
            return;
        }

        // The writer is finished by CommitAsync whatever happens; forget it first so an abort never races it.
        _uploads.Remove(rid);
        upload.Writer = null;
        _openUploads--;
        (string? code, string? failure) = (null, null);
        StoreOutcome outcome = default;
        try
        {
            outcome = await writer.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (FragmentHashMismatchException e)
        {
            (code, failure) = (UglooErrorCodes.BadHash, e.Message);
        }
        catch (StoreFullException e)
        {
            (code, failure) = (UglooErrorCodes.Full, e.Message);
        }
        catch (InvalidDataException e)
        {
            (code, failure) = (UglooErrorCodes.BadRequest, e.Message);
        }
        catch (IOException e)
        {
            (code, failure) = (IoErrorCode, e.Message);
        }

        if (code is not null)
        {
            await RefuseAsync(connection, rid, id, code, failure!, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (upload.Segment is { } segment)
        {
            RecordSegment(segment);
        }

        Log.FragmentStored(_logger, id, upload.Total, _remote, outcome == StoreOutcome.Stored ? "stored" : "already held");
        await ReplyAsync(connection, UglooStoreResult.Success(rid), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeps the segment's record. The fragment is already durable, so a failure here does not fail the store:
    /// the segment's other holders keep the record too and repair it just the same.
    /// </summary>
    private void RecordSegment(Engine.Repair.SegmentDescriptor segment)
    {
        try
        {
            _runtime.Segments.Put(segment);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            Log.SegmentRecordFailed(_logger, segment.KeyHex, e.Message);
        }
    }

    /// <summary>Aborts the upload, answers the failure, and keeps the rid as draining unless this was its last chunk.</summary>
    private async ValueTask FailAsync(PeerConnection connection, long rid, Upload upload, bool last, string code, string reason, CancellationToken cancellationToken)
    {
        if (upload.Writer is { } writer)
        {
            writer.Abort();
            upload.Writer = null;
            _openUploads--;
        }

        if (last)
        {
            _uploads.Remove(rid);
        }
        else
        {
            if (!_uploads.ContainsKey(rid) && _uploads.Count >= MaxTrackedUploads)
            {
                throw new PeerProtocolException($"The peer left more than {MaxTrackedUploads} uploads unfinished.");
            }

            _uploads[rid] = upload;
        }

        await RefuseAsync(connection, rid, upload.Id, code, reason, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask RefuseAsync(PeerConnection connection, long rid, FragmentId id, string code, string reason, CancellationToken cancellationToken)
    {
        Log.StoreRefused(_logger, id, _remote, code, reason);
        return ReplyAsync(connection, UglooStoreResult.Failure(rid, code, reason), cancellationToken);
    }

    /// <summary>One rid's upload. <see cref="Writer"/> is null once it failed (the rest of its chunks are dropped).</summary>
    private sealed class Upload(FragmentId id, long total)
    {
        public FragmentId Id { get; } = id;

        public long Total { get; } = total;

        public long Next { get; set; }

        public FragmentWriter? Writer { get; set; }

        /// <summary>The segment's public facts, when the sender gave them (ugloo_store "seg").</summary>
        public Engine.Repair.SegmentDescriptor? Segment { get; init; }
    }
}
