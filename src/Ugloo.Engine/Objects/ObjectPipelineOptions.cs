using System.Buffers;
using Ugloo.Engine.Codec;

namespace Ugloo.Engine.Objects;

/// <summary>Settings of the object pipeline (<see cref="ObjectWriter"/>, <see cref="ObjectReader"/>).</summary>
public sealed class ObjectPipelineOptions
{
    /// <summary>
    /// 8 MiB: against 4 MiB it halves the fragments per byte, and with them the nodes' per-fragment costs (a
    /// temp file's inode, an fsync, a rename), which were a third of their CPU in a sequential write; measured
    /// in docs/BENCHMARKS.md (Session 8). Larger gained little more and doubles again what each segment in
    /// flight holds in memory and what a cold random read fetches.
    /// </summary>
    public const int DefaultSegmentSize = 8 * 1024 * 1024;

    /// <summary>
    /// Plaintext bytes per segment. Default 8 MiB; range <see cref="ObjectManifest.MinSegmentSize"/> ..
    /// <see cref="ObjectManifest.MaxSegmentSize"/>. Larger segments mean fewer fragments (less
    /// per-fragment overhead on nodes) but more memory per worker and coarser range reads. Sizes are
    /// public (DESIGN.md), so this has no security impact. Fixed per object: it is in the manifest.
    /// </summary>
    public int SegmentSize { get; set; } = DefaultSegmentSize;

    /// <summary>
    /// k: data fragments per segment. Default 4. Storage overhead is (k + m) / k.
    /// </summary>
    public int DataFragments { get; set; } = 4;

    /// <summary>
    /// m: parity fragments per segment; any m fragments of a segment may be lost. Default 2, so with the
    /// default k a six-node cluster survives losing any two nodes at 1.5x storage. k + m &lt;= 255.
    /// </summary>
    public int ParityFragments { get; set; } = 2;

    /// <summary>
    /// Segments sealed, encoded and hashed at once (writer), or fetched and decoded ahead (reader).
    /// Default <see cref="Environment.ProcessorCount"/>, at most 8. Memory in use is about
    /// (2 x this + <see cref="QueuedSegments"/> + 2) segment buffers.
    /// </summary>
    public int DegreeOfParallelism { get; set; } = Math.Min(Environment.ProcessorCount, 8);

    /// <summary>
    /// Bytes of segments one transfer may hold in its workers: 96 MiB, about three segment buffers per worker
    /// (<see cref="TransferWorkersFor"/>).
    /// </summary>
    public const long TransferBudget = 96L << 20;

    /// <summary>
    /// Workers for one transfer to or from the swarm (put, get, S3, the mount's uploads) of objects with
    /// <paramref name="segmentSize"/>-byte segments: the processor count, but at least 4, because a worker spends
    /// most of a segment waiting for nodes to answer, and at most 8; and no more than <see cref="TransferBudget"/>
    /// allows at about three segment buffers each (4 at the default 8 MiB, 1 at 64 MiB). Unbounded, a 64-core
    /// machine would hold 1.5 GiB of 8 MiB segments for one upload. 32 MiB of segments in flight already covers
    /// a 10 ms round trip at 3 GB/s.
    /// </summary>
    public static int TransferWorkersFor(int segmentSize) =>
        Math.Max(1, Math.Min(Math.Clamp(Environment.ProcessorCount, 4, 8), (int)(TransferBudget / (3L * Math.Max(segmentSize, 1)))));

    /// <summary>
    /// Segments read from the input and waiting for a worker (the bounded channel's capacity). Default 0
    /// means "same as <see cref="DegreeOfParallelism"/>".
    /// </summary>
    public int QueuedSegments { get; set; }

    /// <summary>
    /// Where segment and parity buffers come from. Default <see cref="ArrayPool{T}.Shared"/>. Buffers hold
    /// plaintext briefly and are wiped before they go back.
    /// </summary>
    public ArrayPool<byte> BufferPool { get; set; } = ArrayPool<byte>.Shared;

    /// <summary>Codec kernel; null (default) picks the fastest this machine supports.</summary>
    public CodecPath? CodecPath { get; set; }

    internal int EffectiveQueuedSegments => QueuedSegments == 0 ? DegreeOfParallelism : QueuedSegments;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for any setting out of range.</summary>
    public void Validate()
    {
        if (SegmentSize is < ObjectManifest.MinSegmentSize or > ObjectManifest.MaxSegmentSize)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentSize), SegmentSize, $"Segment size must be {ObjectManifest.MinSegmentSize}..{ObjectManifest.MaxSegmentSize} bytes.");
        }

        if (DataFragments < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DataFragments), DataFragments, "At least one data fragment is needed.");
        }

        if (ParityFragments < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ParityFragments), ParityFragments, "Parity fragments cannot be negative.");
        }

        if (DataFragments + ParityFragments > ReedSolomon.MaxFragments)
        {
            throw new ArgumentOutOfRangeException(nameof(ParityFragments), ParityFragments, $"k + m must be at most {ReedSolomon.MaxFragments}.");
        }

        if (DegreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DegreeOfParallelism), DegreeOfParallelism, "At least one worker is needed.");
        }

        if (QueuedSegments < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(QueuedSegments), QueuedSegments, "Queue length cannot be negative.");
        }

        ArgumentNullException.ThrowIfNull(BufferPool);
    }
}
