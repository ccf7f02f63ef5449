using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine.Codec;
using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Objects;

/// <summary>
/// Reads an object back: per segment it fetches the k data fragments straight into the segment buffer
/// (systematic code: no decoding when they are all good), verifies each against its id, replaces bad
/// or missing ones with parity fragments and decodes only then, decrypts in place and streams the
/// plaintext out in order. Up to <see cref="ObjectPipelineOptions.DegreeOfParallelism"/> segments are
/// fetched and decoded ahead of the one being written out. Range reads touch only the segments they
/// need. Thread-safe for concurrent reads; the key must stay undisposed while reads run.
/// </summary>
public sealed partial class ObjectReader
{
    private readonly ObjectKey _key;
    private readonly IFragmentSource _source;
    private readonly ArrayPool<byte> _pool;
    private readonly ReedSolomon _codec;
    private readonly int _readAhead;
    private readonly ILogger _logger;

    public ObjectReader(ObjectManifest manifest, ObjectKey key, IFragmentSource source)
        : this(manifest, key, source, new ObjectPipelineOptions(), NullLogger.Instance)
    {
    }

    /// <summary>
    /// Uses <paramref name="options"/>' <see cref="ObjectPipelineOptions.DegreeOfParallelism"/> (segments
    /// read ahead), <see cref="ObjectPipelineOptions.BufferPool"/> and <see cref="ObjectPipelineOptions.CodecPath"/>;
    /// the code and segment size come from the manifest.
    /// </summary>
    public ObjectReader(ObjectManifest manifest, ObjectKey key, IFragmentSource source, ObjectPipelineOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        Manifest = manifest;
        _key = key;
        _source = source;
        _pool = options.BufferPool;
        _readAhead = options.DegreeOfParallelism;
        _codec = options.CodecPath is { } path
            ? new ReedSolomon(manifest.DataFragments, manifest.ParityFragments, path)
            : new ReedSolomon(manifest.DataFragments, manifest.ParityFragments);
        _logger = logger;
    }

    public ObjectManifest Manifest { get; }

    /// <summary>
    /// Raised (on any thread) for each fetched fragment whose bytes do not match its id. The fragment is
    /// skipped and another one used; repair and node scoring can subscribe.
    /// </summary>
    public event EventHandler<FragmentRejectedEventArgs>? FragmentRejected;

    /// <summary>Writes the whole object's plaintext to <paramref name="destination"/>.</summary>
    public Task ReadAsync(Stream destination, CancellationToken cancellationToken) =>
        ReadRangeAsync(0, Manifest.PlaintextSize, destination, cancellationToken);

    /// <summary>
    /// Writes plaintext bytes [<paramref name="offset"/>, offset + <paramref name="count"/>) to
    /// <paramref name="destination"/>, fetching only the segments that overlap the range. The range must
    /// lie within the object.
    /// </summary>
    public Task ReadRangeAsync(long offset, long count, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (offset > Manifest.PlaintextSize || count > Manifest.PlaintextSize - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Range {offset}+{count} exceeds the object's {Manifest.PlaintextSize} bytes.");
        }

        return ReadCoreAsync(offset, count, (chunk, ct) => destination.WriteAsync(chunk, ct), cancellationToken);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with plaintext from <paramref name="offset"/> on, as a file
    /// system read does: returns the bytes read, fewer at the end of the object and 0 at or past it.
    /// </summary>
    public async Task<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset >= Manifest.PlaintextSize || destination.IsEmpty)
        {
            return 0;
        }

        int count = (int)Math.Min(destination.Length, Manifest.PlaintextSize - offset);
        int written = 0;
        await ReadCoreAsync(
            offset,
            count,
            (chunk, _) =>
            {
                chunk.CopyTo(destination[written..]);
                written += chunk.Length;
                return ValueTask.CompletedTask;
            },
            cancellationToken).ConfigureAwait(false);
        return written;
    }

    private async Task ReadCoreAsync(long offset, long count, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        int first = Manifest.SegmentOf(offset);
        int last = Manifest.SegmentOf(offset + count - 1);
        int next = first;
        long end = offset + count;
        var inFlight = new Queue<Task<DecodedSegment>>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (inFlight.Count < _readAhead && next <= last)
            {
                inFlight.Enqueue(StartSegment(next++, cts.Token));
            }

            while (inFlight.TryDequeue(out Task<DecodedSegment>? task))
            {
                DecodedSegment segment = await task.ConfigureAwait(false);
                try
                {
                    long segmentStart = Manifest.PlaintextOffset(segment.Index);
                    int from = (int)(Math.Max(offset, segmentStart) - segmentStart);
                    int to = (int)(Math.Min(end, segmentStart + segment.Length) - segmentStart);
                    await write(segment.Buffer.AsMemory(from, to - from), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ReturnPlaintext(segment.Buffer);
                }

                if (next <= last)
                {
                    inFlight.Enqueue(StartSegment(next++, cts.Token));
                }
            }
        }
        catch (Exception)
        {
            // Stop the read-ahead and take back its buffers; its own failures are consequences of ours.
            await cts.CancelAsync().ConfigureAwait(false);
            while (inFlight.TryDequeue(out Task<DecodedSegment>? task))
            {
                try
                {
                    ReturnPlaintext((await task.ConfigureAwait(false)).Buffer);
                }
                catch (Exception) when (task.IsFaulted || task.IsCanceled)
                {
                    // Already reported by the failure being rethrown below.
                }
            }

            throw;
        }
    }

    // Task.Run so that hashing, decoding and decrypting of read-ahead segments use other cores even when
    // the source completes synchronously (a local cache).
    private Task<DecodedSegment> StartSegment(int segmentIndex, CancellationToken cancellationToken) =>
        Task.Run(() => ReadSegmentAsync(segmentIndex, cancellationToken), cancellationToken);

    private void ReturnPlaintext(byte[] buffer)
    {
        CryptographicOperations.ZeroMemory(buffer);
        _pool.Return(buffer);
    }

    private readonly record struct DecodedSegment(int Index, byte[] Buffer, int Length);
}
