using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Objects;

/// <summary>
/// One object being written: a producer task reads segments into pooled buffers and hands them through
/// a bounded channel to workers that seal, encode, hash and store them. Buffers in use at any time: the
/// producer's one being filled plus one held back (to learn whether it is the last), the channel's
/// queued ones, and a data + a parity buffer per worker.
/// <para>
/// A revision (<see cref="ObjectRevision"/>) reads only the segments it rewrites, at their offsets in the
/// new content, seals them under its generation, and takes every other segment's ids and generation from
/// the base manifest unchanged: those fragments are already in the swarm.
/// </para>
/// </summary>
internal sealed class ObjectWriteRun
{
    private readonly ObjectWriter _writer;
    private readonly Stream? _input;
    private readonly ObjectRevision? _revision;
    private readonly ulong _generation;
    private readonly Codec.ReedSolomon _codec;
    private readonly IFragmentSink _sink;
    private readonly ObjectId _objectId;
    private readonly ObjectKey _objectKey;
    private readonly ArrayPool<byte> _pool;
    private readonly int _segmentSize;
    private readonly int _k;
    private readonly int _n;
    private readonly List<FragmentId[]?> _ids = [];
    private long _plaintextSize;
    private int _segmentCount;

    public ObjectWriteRun(ObjectWriter writer, Stream input, IFragmentSink sink, ObjectId objectId, ObjectKey objectKey)
    {
        _writer = writer;
        _input = input;
        _sink = sink;
        _objectId = objectId;
        _objectKey = objectKey;
        _pool = writer.BufferPool;
        _segmentSize = writer.SegmentSize;
        _k = writer.DataFragments;
        _n = writer.DataFragments + writer.ParityFragments;
        _codec = writer.Codec;
    }

    /// <summary>A revision: the code, segment size and object id are the revision's (its base manifest's).</summary>
    public ObjectWriteRun(ObjectWriter writer, ObjectRevision revision, IFragmentSink sink, ObjectKey objectKey, ulong generation)
    {
        _writer = writer;
        _revision = revision;
        _generation = generation;
        _sink = sink;
        _objectId = revision.ObjectId;
        _objectKey = objectKey;
        _pool = writer.BufferPool;
        _segmentSize = revision.SegmentSize;
        _k = revision.DataFragments;
        _n = revision.DataFragments + revision.ParityFragments;
        _codec = revision.DataFragments == writer.DataFragments && revision.ParityFragments == writer.ParityFragments
            ? writer.Codec
            : new Codec.ReedSolomon(revision.DataFragments, revision.ParityFragments);
    }

    /// <summary>Runs a partial revision: stores its segments and returns them, makes no manifest.</summary>
    public async Task<IReadOnlyDictionary<int, StoredSegment>> StoreSegmentsAsync(CancellationToken cancellationToken)
    {
        await RunPipelineAsync(cancellationToken).ConfigureAwait(false);
        ObjectRevision revision = _revision!;
        int count = revision.SegmentCount;
        var stored = new Dictionary<int, StoredSegment>();
        lock (_ids)
        {
            for (int s = 0; s < _ids.Count; s++)
            {
                if (_ids[s] is { } ids)
                {
                    stored[s] = new StoredSegment(_generation, ids, SegmentLayout.PlaintextLength(revision.Length, _segmentSize, s), s == count - 1);
                }
            }
        }

        return stored;
    }

    public async Task<ObjectManifest> RunAsync(CancellationToken cancellationToken)
    {
        await RunPipelineAsync(cancellationToken).ConfigureAwait(false);
        return BuildManifest();
    }

    private async Task RunPipelineAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Channel<SegmentWork> channel = Channel.CreateBounded<SegmentWork>(new BoundedChannelOptions(_writer.QueuedSegments)
        {
            SingleWriter = true,
            SingleReader = _writer.DegreeOfParallelism == 1,
            FullMode = BoundedChannelFullMode.Wait,
        });

        var tasks = new Task[_writer.DegreeOfParallelism + 1];
        tasks[0] = _revision is null
            ? Task.Run(() => ProduceAsync(channel.Writer, cts), CancellationToken.None)
            : Task.Run(() => ProduceRevisionAsync(channel.Writer, cts), CancellationToken.None);
        for (int i = 1; i < tasks.Length; i++)
        {
            tasks[i] = Task.Run(() => ConsumeAsync(channel.Reader, cts), CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Every task has finished, so whatever is still queued belongs to nobody: hand it back.
            while (channel.Reader.TryRead(out SegmentWork left))
            {
                ReturnPlaintext(left.Buffer);
            }

            ThrowRootCause(tasks, cancellationToken);
            throw;
        }
    }

    private ObjectManifest BuildManifest()
    {
        var ids = new FragmentId[(long)_segmentCount * _n];
        ulong[]? generations = _revision is null ? null : new ulong[_segmentCount];
        for (int s = 0; s < _segmentCount; s++)
        {
            FragmentId[]? segmentIds = s < _ids.Count ? _ids[s] : null;
            if (segmentIds is not null)
            {
                segmentIds.CopyTo(ids, s * _n);
                if (generations is not null)
                {
                    generations[s] = _generation;
                }
            }
            else if (_revision is { } revision && !revision.Rewrites(s))
            {
                revision.SharedIds(s).CopyTo(ids.AsSpan(s * _n, _n));
                generations![s] = revision.SharedGeneration(s);
            }
            else
            {
                throw new InvalidOperationException($"Segment {s} was never stored.");
            }
        }

        var manifest = new ObjectManifest(
            _objectId, CipherSuite.Aes256Gcm, _plaintextSize, _segmentSize, _k, _n - _k, SegmentLayout.FragmentAlignment, ids, generations);
        Log.ObjectWritten(_writer.Logger, _objectId, _plaintextSize, _segmentCount, _k, _n - _k);
        return manifest;
    }

    private async Task ProduceAsync(ChannelWriter<SegmentWork> channel, CancellationTokenSource cts)
    {
        CancellationToken token = cts.Token;
        int fullBuffer = SegmentLayout.DataBufferLength(_segmentSize, _k, SegmentLayout.FragmentAlignment);
        byte[]? reading = null;
        byte[]? pending = null;
        int pendingLength = 0;
        int index = 0;
        try
        {
            while (true)
            {
                reading = _pool.Rent(fullBuffer);
                int read = await _input!.ReadAtLeastAsync(reading.AsMemory(0, _segmentSize), _segmentSize, throwOnEndOfStream: false, token).ConfigureAwait(false);
                if (read == 0)
                {
                    _pool.Return(reading);
                    reading = null;
                    break;
                }

                // A segment is known not to be the last only once more bytes follow it, so it is held
                // back until the next read returns something; the last flag goes into its AD.
                if (pending is not null)
                {
                    await channel.WriteAsync(new SegmentWork(index, pending, pendingLength, IsLast: false), token).ConfigureAwait(false);
                    pending = null;
                    index++;
                    if (index >= ObjectManifest.MaxSegmentCount)
                    {
                        throw new IOException($"The input is larger than an object may be ({ObjectManifest.MaxSegmentCount} segments of {_segmentSize} bytes).");
                    }
                }

                pending = reading;
                pendingLength = read;
                reading = null;
                _plaintextSize += read;
                if (read < _segmentSize)
                {
                    break; // ReadAtLeastAsync returns short only at the end of the stream.
                }
            }

            // An empty input still gets one sealed, empty segment so that it authenticates like any other.
            pending ??= _pool.Rent(SegmentLayout.DataBufferLength(0, _k, SegmentLayout.FragmentAlignment));
            await channel.WriteAsync(new SegmentWork(index, pending, pendingLength, IsLast: true), token).ConfigureAwait(false);
            pending = null;
            _segmentCount = index + 1;
            channel.Complete();
        }
        catch (Exception e)
        {
            if (reading is not null)
            {
                ReturnPlaintext(reading);
            }

            if (pending is not null)
            {
                ReturnPlaintext(pending);
            }

            channel.TryComplete(e);
            await cts.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads each segment the revision rewrites from the new content, in index order.</summary>
    private async Task ProduceRevisionAsync(ChannelWriter<SegmentWork> channel, CancellationTokenSource cts)
    {
        CancellationToken token = cts.Token;
        ObjectRevision revision = _revision!;
        int count = revision.SegmentCount;
        byte[]? reading = null;
        try
        {
            for (int index = 0; index < count; index++)
            {
                if (!revision.Rewrites(index))
                {
                    continue;
                }

                int length = SegmentLayout.PlaintextLength(revision.Length, _segmentSize, index);
                reading = _pool.Rent(SegmentLayout.DataBufferLength(length, _k, SegmentLayout.FragmentAlignment));
                long offset = (long)index * _segmentSize;
                int read = 0;
                while (read < length)
                {
                    int got = await RandomAccess.ReadAsync(revision.Content, reading.AsMemory(read, length - read), offset + read, token).ConfigureAwait(false);
                    if (got == 0)
                    {
                        throw new IOException($"The content ends at {offset + read} bytes, before the revision's {revision.Length}.");
                    }

                    read += got;
                }

                await channel.WriteAsync(new SegmentWork(index, reading, length, IsLast: index == count - 1), token).ConfigureAwait(false);
                reading = null;
            }

            _plaintextSize = revision.Length;
            _segmentCount = count;
            channel.Complete();
        }
        catch (Exception e)
        {
            if (reading is not null)
            {
                ReturnPlaintext(reading);
            }

            channel.TryComplete(e);
            await cts.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ConsumeAsync(ChannelReader<SegmentWork> channel, CancellationTokenSource cts)
    {
        try
        {
            using var cipher = new SegmentCipher(_objectKey, _objectId);
            await foreach (SegmentWork work in channel.ReadAllAsync(cts.Token).ConfigureAwait(false))
            {
                await ProcessAsync(work, cipher, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            await cts.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ProcessAsync(SegmentWork work, SegmentCipher cipher, CancellationToken cancellationToken)
    {
        int m = _n - _k;
        int sealedLength = SegmentLayout.SealedLength(work.Length);
        int fragmentLength = SegmentLayout.FragmentLength(sealedLength, _k, SegmentLayout.FragmentAlignment);
        byte[] data = work.Buffer;
        byte[]? parity = null;
        bool sealedInPlace = false;
        try
        {
            cipher.Seal(work.Index, _generation, work.IsLast, data, work.Length);
            sealedInPlace = true;

            // Zero padding is part of the data fragments and so of their ids: it must be deterministic.
            data.AsSpan(sealedLength, (_k * fragmentLength) - sealedLength).Clear();

            var fragments = new ReadOnlyMemory<byte>[_n];
            for (int i = 0; i < _k; i++)
            {
                fragments[i] = data.AsMemory(i * fragmentLength, fragmentLength);
            }

            if (m > 0)
            {
                parity = _pool.Rent(m * fragmentLength);
                var parityFragments = new Memory<byte>[m];
                for (int j = 0; j < m; j++)
                {
                    parityFragments[j] = parity.AsMemory(j * fragmentLength, fragmentLength);
                    fragments[_k + j] = parityFragments[j];
                }

                _codec.Encode(fragments.AsSpan(0, _k), parityFragments);
            }

            var ids = new FragmentId[_n];
            for (int i = 0; i < _n; i++)
            {
                ids[i] = FragmentId.Compute(fragments[i].Span);
            }

            await StoreAllAsync(work.Index, ids, fragments, cancellationToken).ConfigureAwait(false);
            lock (_ids)
            {
                while (_ids.Count <= work.Index)
                {
                    _ids.Add(null);
                }

                _ids[work.Index] = ids;
            }
        }
        finally
        {
            if (parity is not null)
            {
                _pool.Return(parity);
            }

            // After sealing the buffer holds only ciphertext; before, it holds plaintext.
            if (sealedInPlace)
            {
                _pool.Return(data);
            }
            else
            {
                ReturnPlaintext(data);
            }
        }
    }

    /// <summary>
    /// Offers the segment's n fragments to the sink in one call (a network sink uploads them in
    /// parallel and applies the durability rule to the segment as a whole).
    /// </summary>
    private async Task StoreAllAsync(int segmentIndex, FragmentId[] ids, ReadOnlyMemory<byte>[] fragments, CancellationToken cancellationToken)
    {
        await _sink.StoreSegmentAsync(_objectId, segmentIndex, _generation, ids, fragments, cancellationToken).ConfigureAwait(false);
    }

    private void ReturnPlaintext(byte[] buffer)
    {
        CryptographicOperations.ZeroMemory(buffer);
        _pool.Return(buffer);
    }

    /// <summary>Rethrows the failure that started the shutdown rather than a worker's resulting cancellation.</summary>
    internal static void ThrowRootCause(Task[] tasks, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (Task task in tasks)
        {
            if (task.Exception?.InnerException is { } e && e is not OperationCanceledException)
            {
                ExceptionDispatchInfo.Throw(e);
            }
        }
    }

    private readonly record struct SegmentWork(int Index, byte[] Buffer, int Length, bool IsLast);
}
