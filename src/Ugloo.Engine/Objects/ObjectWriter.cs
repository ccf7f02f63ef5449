using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine.Codec;
using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Objects;

/// <summary>
/// Turns a stream into a sealed, erasure-coded object: segments -> AES-256-GCM -> RS(k, m) -> n
/// fragments hashed into their ids -> <see cref="IFragmentSink"/>, and returns the manifest. The input
/// is read sequentially by one task; up to <see cref="ObjectPipelineOptions.DegreeOfParallelism"/>
/// workers seal, encode, hash and store different segments at once, fed through a bounded channel, so
/// memory stays at a few segments whatever the object size. Thread-safe; reusable for many objects.
/// </summary>
public sealed class ObjectWriter
{
    private readonly ILogger _logger;

    public ObjectWriter(ObjectPipelineOptions options)
        : this(options, NullLogger.Instance)
    {
    }

    public ObjectWriter(ObjectPipelineOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();

        // Snapshot: the options object stays mutable for its owner.
        SegmentSize = options.SegmentSize;
        DataFragments = options.DataFragments;
        ParityFragments = options.ParityFragments;
        DegreeOfParallelism = options.DegreeOfParallelism;
        QueuedSegments = options.EffectiveQueuedSegments;
        BufferPool = options.BufferPool;
        Codec = options.CodecPath is { } path
            ? new ReedSolomon(DataFragments, ParityFragments, path)
            : new ReedSolomon(DataFragments, ParityFragments);
        _logger = logger;
    }

    public int SegmentSize { get; }

    public int DataFragments { get; }

    public int ParityFragments { get; }

    public int DegreeOfParallelism { get; }

    internal int QueuedSegments { get; }

    internal ArrayPool<byte> BufferPool { get; }

    internal ReedSolomon Codec { get; }

    internal ILogger Logger => _logger;

    /// <summary>
    /// Writes <paramref name="input"/> (read to its end) as a new object with a fresh id and key, the key
    /// wrapped under <paramref name="volumeKey"/>.
    /// </summary>
    public async Task<ObjectWriteResult> WriteAsync(Stream input, IFragmentSink sink, VolumeKey volumeKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(volumeKey);
        ObjectId objectId = ObjectId.New();
        using ObjectKey objectKey = ObjectKey.Generate();
        WrappedObjectKey wrapped = volumeKey.Wrap(objectId, objectKey);
        ObjectManifest manifest = await WriteAsync(input, sink, objectId, objectKey, cancellationToken).ConfigureAwait(false);
        return new ObjectWriteResult(manifest, wrapped);
    }

    /// <summary>
    /// Writes <paramref name="input"/> under a caller-chosen id and key (the key must be fresh from
    /// <see cref="ObjectKey.Generate"/>; it is marked used). For callers that wrap keys themselves and
    /// for benchmarks that skip wrapping.
    /// </summary>
    public Task<ObjectManifest> WriteAsync(Stream input, IFragmentSink sink, ObjectId objectId, ObjectKey objectKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(objectKey);
        if (!input.CanRead)
        {
            throw new ArgumentException("The input stream is not readable.", nameof(input));
        }

        objectKey.ClaimForSealing();
        return new ObjectWriteRun(this, input, sink, objectId, objectKey).RunAsync(cancellationToken);
    }

    /// <summary>
    /// Writes a new version of an existing object that stores only the segments <paramref name="revision"/>
    /// rewrites and shares the others with its base: same object id, same key (so the base's wrapped key
    /// serves the new manifest too), the base's segment size and code. The rewritten segments are sealed
    /// under a fresh random non-zero generation (<see cref="SegmentCipher"/>), so reusing the key never
    /// reuses a nonce. <paramref name="objectKey"/> is the base's key, unwrapped.
    /// </summary>
    public Task<ObjectManifest> ReviseAsync(ObjectRevision revision, ObjectKey objectKey, IFragmentSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(revision);
        ArgumentNullException.ThrowIfNull(objectKey);
        ArgumentNullException.ThrowIfNull(sink);
        if (revision.IsPartial)
        {
            throw new ArgumentException("A partial revision stores segments (StoreSegmentsAsync); it cannot make a manifest.", nameof(revision));
        }

        return new ObjectWriteRun(this, revision, sink, objectKey, NewGeneration()).RunAsync(cancellationToken);
    }

    /// <summary>
    /// Stores the segments a partial revision (<see cref="ObjectRevision.Segments"/>) names, ahead of the
    /// manifest that will list them (<see cref="ObjectRevision.FromStored"/>): a writer can send a file's
    /// finished segments while the rest is still being written. Sealed under a fresh random generation.
    /// </summary>
    public Task<IReadOnlyDictionary<int, StoredSegment>> StoreSegmentsAsync(ObjectRevision revision, ObjectKey objectKey, IFragmentSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(revision);
        ArgumentNullException.ThrowIfNull(objectKey);
        ArgumentNullException.ThrowIfNull(sink);
        return new ObjectWriteRun(this, revision, sink, objectKey, NewGeneration()).StoreSegmentsAsync(cancellationToken);
    }

    private static ulong NewGeneration()
    {
        ulong generation;
        do
        {
            generation = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        }
        while (generation == 0);

        return generation;
    }
}
