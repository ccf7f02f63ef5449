using Ugloo.Engine.Codec;

namespace Ugloo.Mount.Bench;

/// <summary>
/// Single-thread Reed-Solomon throughput for the codes ISA-L's anchor measures. GB/s counts the k input
/// fragments (user data), for encode (all m parity rows) and decode (the first min(m, k) data fragments
/// lost and rebuilt from the next k survivors), exactly as <c>isal-ec</c> does.
/// </summary>
internal sealed class CodecBenchmark
{
    public static readonly (int K, int M)[] DefaultCodes = [(10, 4), (16, 4), (20, 10), (64, 16), (128, 32), (200, 55)];

    public static readonly int[] DefaultFragmentSizes = [65536, 1048576];

    public required IReadOnlyList<(int K, int M)> Codes { get; init; }

    public required IReadOnlyList<int> FragmentSizes { get; init; }

    public required IReadOnlyList<CodecPath> Paths { get; init; }

    public double TrialSeconds { get; init; } = 0.5;

    public IEnumerable<BenchFigure> Run(CancellationToken cancellationToken)
    {
        foreach (int size in FragmentSizes)
        {
            foreach ((int k, int m) in Codes)
            {
                foreach (CodecPath path in Paths)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    foreach (BenchFigure figure in RunOne(k, m, size, path))
                    {
                        yield return figure;
                    }
                }
            }
        }
    }

    private IEnumerable<BenchFigure> RunOne(int k, int m, int size, CodecPath path)
    {
        var codec = new ReedSolomon(k, m, path);
        var random = new Random(42);
        byte[][] fragments = new byte[k + m][];
        for (int i = 0; i < fragments.Length; i++)
        {
            fragments[i] = GC.AllocateUninitializedArray<byte>(size, pinned: true);
            random.NextBytes(fragments[i]);
        }

        ReadOnlyMemory<byte>[] data = [.. fragments[..k].Select(f => (ReadOnlyMemory<byte>)f)];
        Memory<byte>[] parity = [.. fragments[k..].Select(f => (Memory<byte>)f)];
        double encode = Throughput.MedianGigabytesPerSecond(() => codec.Encode(data, parity), (long)k * size, TrialSeconds);
        yield return new BenchFigure("encode", k, m, null, size, encode, CodecPaths.Name(path));

        if (m == 0)
        {
            yield break;
        }

        int lost = Math.Min(m, k);
        int[] survivorIndices = [.. Enumerable.Range(lost, k)];
        ReadOnlyMemory<byte>[] survivors = [.. survivorIndices.Select(i => (ReadOnlyMemory<byte>)fragments[i])];
        int[] wantedIndices = [.. Enumerable.Range(0, lost)];
        byte[][] rebuilt = [.. wantedIndices.Select(_ => new byte[size])];
        Memory<byte>[] wanted = [.. rebuilt.Select(b => (Memory<byte>)b)];
        codec.Reconstruct(survivorIndices, survivors, wantedIndices, wanted);
        for (int i = 0; i < lost; i++)
        {
            if (!rebuilt[i].AsSpan().SequenceEqual(fragments[i]))
            {
                throw new InvalidOperationException($"Decode mismatch for RS({k},{m}) on path {path}: the codec is broken.");
            }
        }

        double decode = Throughput.MedianGigabytesPerSecond(
            () => codec.Reconstruct(survivorIndices, survivors, wantedIndices, wanted), (long)k * size, TrialSeconds);
        yield return new BenchFigure("decode", k, m, lost, size, decode, CodecPaths.Name(path));
    }
}
