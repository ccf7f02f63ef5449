using System.Collections.Concurrent;

namespace Ugloo.Engine.Codec;

/// <summary>
/// A systematic Reed-Solomon code over GF(2^8): k data fragments, m parity fragments, n = k + m &lt;= 255.
/// Any k of the n fragments rebuild any other, and only the fragments asked for are computed.
/// Thread-safe: one instance serves all threads.
/// </summary>
public sealed class ReedSolomon
{
    public const int MaxFragments = 255;

    // Decode plans depend only on which fragments are present and which are wanted. A handful of
    // patterns repeat for a whole object (the same nodes are down), so a small cache hits nearly always.
    private const int DecodeCacheLimit = 256;

    private readonly byte[] _encoding;
    private readonly CodingPlan _parityPlan;
    private readonly ConcurrentDictionary<DecodeKey, CodingPlan> _decodePlans = new();

    public ReedSolomon(int dataCount, int parityCount)
        : this(dataCount, parityCount, CodecPaths.Best)
    {
    }

    /// <summary>Builds a codec bound to one kernel path (tests and benchmarks pick paths explicitly).</summary>
    public ReedSolomon(int dataCount, int parityCount, CodecPath path)
    {
        if (dataCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dataCount), dataCount, "A code needs at least one data fragment.");
        }

        if (parityCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(parityCount), parityCount, "Parity count cannot be negative.");
        }

        if (dataCount + parityCount > MaxFragments)
        {
            throw new ArgumentOutOfRangeException(nameof(parityCount), parityCount, $"k + m must be at most {MaxFragments} (GF(2^8)); got {dataCount} + {parityCount}.");
        }

        if (!CodecPaths.IsSupported(path))
        {
            throw new PlatformNotSupportedException($"Codec path {path} is not supported on this machine.");
        }

        DataCount = dataCount;
        ParityCount = parityCount;
        Path = path;
        _encoding = GfMatrix.Encoding(dataCount, parityCount);
        _parityPlan = new CodingPlan(_encoding[(dataCount * dataCount)..], parityCount, dataCount);
    }

    /// <summary>k: fragments that hold the data itself.</summary>
    public int DataCount { get; }

    /// <summary>m: parity fragments; the code survives the loss of any m fragments.</summary>
    public int ParityCount { get; }

    /// <summary>n = k + m.</summary>
    public int TotalCount => DataCount + ParityCount;

    public CodecPath Path { get; }

    /// <summary>Computes the m parity fragments from the k data fragments (all of one length).</summary>
    public void Encode(ReadOnlySpan<ReadOnlyMemory<byte>> data, ReadOnlySpan<Memory<byte>> parity)
    {
        if (data.Length != DataCount)
        {
            throw new ArgumentException($"Expected {DataCount} data fragments, got {data.Length}.", nameof(data));
        }

        if (parity.Length != ParityCount)
        {
            throw new ArgumentException($"Expected {ParityCount} parity fragments, got {parity.Length}.", nameof(parity));
        }

        int length = CommonLength(data, parity);
        if (ParityCount == 0 || length == 0)
        {
            return;
        }

        _parityPlan.Execute(data, parity, length, Path);
    }

    /// <summary>
    /// Rebuilds the fragments at <paramref name="wantedIndices"/> from fragments at
    /// <paramref name="availableIndices"/> (at least k distinct indices; the first k are used).
    /// Indices are 0..k-1 for data and k..n-1 for parity. All fragments have one length.
    /// </summary>
    public void Reconstruct(
        ReadOnlySpan<int> availableIndices,
        ReadOnlySpan<ReadOnlyMemory<byte>> available,
        ReadOnlySpan<int> wantedIndices,
        ReadOnlySpan<Memory<byte>> wanted)
    {
        if (availableIndices.Length != available.Length)
        {
            throw new ArgumentException("One buffer per available index is required.", nameof(available));
        }

        if (wantedIndices.Length != wanted.Length)
        {
            throw new ArgumentException("One buffer per wanted index is required.", nameof(wanted));
        }

        if (availableIndices.Length < DataCount)
        {
            throw new InsufficientFragmentsException(DataCount, availableIndices.Length);
        }

        if (wantedIndices.IsEmpty)
        {
            return;
        }

        int k = DataCount;
        ReadOnlySpan<int> used = availableIndices[..k];

        // Sets as bitmasks (cache key) plus, for each index, its position in the caller's span, so the
        // plan's ascending order maps back onto the caller's buffers without copying them.
        Span<ulong> words = stackalloc ulong[8];
        Span<byte> availablePosition = stackalloc byte[MaxFragments];
        Span<byte> wantedPosition = stackalloc byte[MaxFragments];
        Mark(used, words[..4], availablePosition, "available");
        Mark(wantedIndices, words[4..], wantedPosition, "wanted");
        int length = CommonLength(available[..k], wanted);
        var key = new DecodeKey(FragmentMask.From(words[..4]), FragmentMask.From(words[4..]));

        Span<int> inputOrder = stackalloc int[k];
        key.Available.CopyAscending(inputOrder);
        for (int i = 0; i < inputOrder.Length; i++)
        {
            inputOrder[i] = availablePosition[inputOrder[i]];
        }

        Span<int> outputOrder = stackalloc int[wantedIndices.Length];
        key.Wanted.CopyAscending(outputOrder);
        for (int i = 0; i < outputOrder.Length; i++)
        {
            outputOrder[i] = wantedPosition[outputOrder[i]];
        }

        CodingPlan plan = DecodePlan(key);
        if (length > 0)
        {
            plan.Execute(available, inputOrder, wanted, outputOrder, length, Path);
        }
    }

    private CodingPlan DecodePlan(DecodeKey key)
    {
        if (_decodePlans.TryGetValue(key, out CodingPlan? plan))
        {
            return plan;
        }

        int k = DataCount;
        int[] sortedAvailable = new int[k];
        key.Available.CopyAscending(sortedAvailable);
        int[] sortedWanted = new int[MaxFragments];
        int wantedCount = key.Wanted.CopyAscending(sortedWanted);

        byte[] sub = new byte[k * k];
        for (int r = 0; r < k; r++)
        {
            _encoding.AsSpan(sortedAvailable[r] * k, k).CopyTo(sub.AsSpan(r * k));
        }

        byte[] inverse = GfMatrix.Invert(sub, k);

        // A wanted fragment's row is its encoding row times the inverse: data rows of the encoding
        // matrix are unit vectors, so for data fragments this simply selects a row of the inverse.
        byte[] rows = new byte[wantedCount * k];
        for (int w = 0; w < wantedCount; w++)
        {
            byte[] row = GfMatrix.Multiply(_encoding.AsSpan(sortedWanted[w] * k, k), 1, k, inverse, k);
            row.CopyTo(rows, w * k);
        }

        plan = new CodingPlan(rows, wantedCount, k);
        if (_decodePlans.Count >= DecodeCacheLimit)
        {
            _decodePlans.Clear();
        }

        _decodePlans[key] = plan;
        return plan;
    }

    /// <summary>Checks range and uniqueness, sets each index's bit and records its position.</summary>
    private void Mark(ReadOnlySpan<int> indices, Span<ulong> mask, Span<byte> position, string what)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)TotalCount)
            {
                throw new ArgumentOutOfRangeException(what, index, $"Fragment index must be in 0..{TotalCount - 1}.");
            }

            ulong bit = 1UL << (index & 63);
            if ((mask[index >> 6] & bit) != 0)
            {
                throw new ArgumentException($"Fragment index {index} appears twice among the {what} fragments.", what);
            }

            mask[index >> 6] |= bit;
            position[index] = (byte)i;
        }
    }

    private static int CommonLength(ReadOnlySpan<ReadOnlyMemory<byte>> inputs, ReadOnlySpan<Memory<byte>> outputs)
    {
        int length = inputs.Length > 0 ? inputs[0].Length : (outputs.Length > 0 ? outputs[0].Length : 0);
        foreach (ReadOnlyMemory<byte> input in inputs)
        {
            if (input.Length != length)
            {
                throw new ArgumentException($"All fragments must have one length; got {input.Length} and {length}.");
            }
        }

        foreach (Memory<byte> output in outputs)
        {
            if (output.Length != length)
            {
                throw new ArgumentException($"All fragments must have one length; got {output.Length} and {length}.");
            }
        }

        return length;
    }
}
