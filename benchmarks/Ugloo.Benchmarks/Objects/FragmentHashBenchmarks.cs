using BenchmarkDotNet.Attributes;
using Ugloo.Engine.Objects;

namespace Ugloo.Benchmarks.Objects;

/// <summary>
/// The BLAKE3 of one default fragment (an 8 MiB segment's quarter plus its 64-byte AEAD share): in one call, as the
/// client hashes the fragments it encodes (<see cref="FragmentId.Compute"/>), and fed in pieces, as a node hashes a
/// fragment while it arrives (<see cref="FragmentHasher"/>, 1 MiB per store chunk). Throughput is the fragment's
/// bytes over the mean time. Example:
/// <c>dotnet run -c Release --project benchmarks/Ugloo.Benchmarks -- --filter '*FragmentHashBenchmarks*'</c>.
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 8)]
public class FragmentHashBenchmarks
{
    private readonly byte[] _fragment = new byte[(2 << 20) + 64];

    /// <summary>Bytes per <see cref="FragmentHasher.Append"/> call.</summary>
    [Params(16 << 10, 64 << 10, 1 << 20)]
    public int Piece { get; set; }

    [GlobalSetup]
    public void Fill() => new Random(1).NextBytes(_fragment);

    [Benchmark(Baseline = true)]
    public FragmentId OneCall() => FragmentId.Compute(_fragment);

    [Benchmark]
    public FragmentId InPieces()
    {
        // A hasher per fragment, as a node's FragmentWriter has one.
        using var hasher = new FragmentHasher();
        for (int offset = 0; offset < _fragment.Length; offset += Piece)
        {
            hasher.Append(_fragment.AsSpan(offset, Math.Min(Piece, _fragment.Length - offset)));
        }

        return hasher.Finish();
    }
}
