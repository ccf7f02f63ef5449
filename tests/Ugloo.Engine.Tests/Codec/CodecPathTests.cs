using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Ugloo.Engine.Codec;

namespace Ugloo.Engine.Tests.Codec;

/// <summary>
/// Every kernel path this process supports against the scalar oracle. <see cref="CodecPathIsolationTests"/>
/// re-runs this class in child processes with DOTNET_Enable* switches, which set UGLOO_CODEC_QUICK=1
/// (a smaller random subset) and UGLOO_EXPECT_* (what <see cref="CodecPaths"/> must then report).
/// </summary>
public sealed class CodecPathTests
{
    private static readonly bool s_quick = Environment.GetEnvironmentVariable("UGLOO_CODEC_QUICK") == "1";

    // Every vector width +/- 1 and a few odd sizes; the kernels' tails and narrow fallbacks live here.
    private static readonly int[] s_lengths = [0, 1, 2, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 95, 127, 128, 129, 191, 255, 256, 257, 1000];

    public static TheoryData<CodecPath> Paths => new(CodecPaths.Supported);

    [Theory]
    [MemberData(nameof(Paths))]
    public void Encode_matches_the_scalar_oracle_at_every_vector_boundary(CodecPath path)
    {
        var random = new Random(1 + (int)path);
        (int K, int M)[] shapes = s_quick
            ? [(1, 1), (3, 2), (10, 4), (17, 9)]
            : [(1, 1), (1, 5), (2, 1), (3, 2), (5, 3), (10, 4), (16, 4), (17, 9), (20, 10)];
        foreach ((int k, int m) in shapes)
        {
            foreach (int length in s_lengths)
            {
                AssertEncodeMatchesOracle(random, path, k, m, length);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Encode_matches_the_scalar_oracle_around_column_blocks(CodecPath path)
    {
        // More output rows than one register group holds, so the columns are cache-blocked.
        var random = new Random(2 + (int)path);
        (int K, int M)[] shapes = s_quick ? [(30, 20)] : [(30, 20), (64, 16)];
        foreach ((int k, int m) in shapes)
        {
            int block = new CodingPlan(new byte[k * m], m, k).BlockBytes;
            foreach (int length in new[] { block - 1, block, block + 1, block + 65, (2 * block) - 1, (2 * block) + 1 })
            {
                AssertEncodeMatchesOracle(random, path, k, m, length);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Wide_codes_match_the_scalar_oracle(CodecPath path)
    {
        var random = new Random(3 + (int)path);
        AssertEncodeMatchesOracle(random, path, 200, 55, 129);
        if (!s_quick)
        {
            int block = new CodingPlan(new byte[200 * 55], 55, 200).BlockBytes;
            AssertEncodeMatchesOracle(random, path, 200, 55, block + 1);
            AssertEncodeMatchesOracle(random, path, 128, 127, 97);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Random_shapes_and_lengths_match_the_scalar_oracle(CodecPath path)
    {
        var random = new Random(4 + (int)path);
        for (int trial = 0; trial < (s_quick ? 4 : 16); trial++)
        {
            int k = random.Next(1, 41);
            int m = random.Next(0, 21);
            AssertEncodeMatchesOracle(random, path, k, m, random.Next(0, 3000));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Random_erasures_are_rebuilt_exactly(CodecPath path)
    {
        var random = new Random(5 + (int)path);
        (int K, int M, int Length)[] shapes = s_quick
            ? [(4, 2, 65), (10, 4, 1000)]
            : [(1, 1, 33), (4, 2, 65), (10, 4, 1000), (16, 4, 129), (20, 10, 4097), (64, 16, 200)];
        foreach ((int k, int m, int length) in shapes)
        {
            var oracle = new ReedSolomon(k, m, CodecPath.Scalar);
            var codec = new ReedSolomon(k, m, path);
            byte[][] fragments = ReedSolomonTests.RandomFragments(random, k, m, length);
            oracle.Encode(ReedSolomonTests.Data(fragments, k), ReedSolomonTests.Parity(fragments, k));

            for (int trial = 0; trial < (s_quick ? 3 : 8); trial++)
            {
                // Any k or more survivors in any order (only the first k are used); any lost ones wanted, in any order.
                int[] shuffled = [.. Enumerable.Range(0, k + m).OrderBy(_ => random.Next())];
                int availableCount = random.Next(k, k + m + 1);
                int[] available = shuffled[..availableCount];
                int[] wanted = [.. shuffled[k..].OrderBy(_ => random.Next()).Take(random.Next(1, m + 1))];
                Slice[] inputs = [.. available.Select(i => Slice.Copy(random, fragments[i]))];
                Slice[] outputs = [.. wanted.Select(_ => Slice.Fill(random, length))];

                codec.Reconstruct(available, Slice.ReadOnly(inputs), wanted, Slice.Writable(outputs));

                for (int i = 0; i < wanted.Length; i++)
                {
                    Assert.Equal(fragments[wanted[i]], outputs[i].Contents.ToArray());
                    outputs[i].AssertGuardsIntact();
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Memory_not_backed_by_an_array_gives_the_same_parity(CodecPath path)
    {
        var random = new Random(6 + (int)path);
        const int k = 6, m = 3, length = 333;
        byte[][] fragments = ReedSolomonTests.RandomFragments(random, k, m, length);
        new ReedSolomon(k, m, CodecPath.Scalar).Encode(ReedSolomonTests.Data(fragments, k), ReedSolomonTests.Parity(fragments, k));

        using var managers = new DisposableList();
        ReadOnlyMemory<byte>[] data = [.. fragments[..k].Select(f => managers.Add(new OwnedMemory(f.ToArray())).Memory).Select(x => (ReadOnlyMemory<byte>)x)];
        OwnedMemory[] parity = [.. Enumerable.Range(0, m).Select(_ => managers.Add(new OwnedMemory(new byte[length])))];
        new ReedSolomon(k, m, path).Encode(data, [.. parity.Select(p => p.Memory)]);

        for (int i = 0; i < m; i++)
        {
            Assert.Equal(fragments[k + i], parity[i].Memory.ToArray());
        }
    }

    [Fact]
    public void Reported_paths_follow_the_runtime_switches()
    {
        IReadOnlyList<CodecPath> supported = CodecPaths.Supported;
        Assert.Equal(CodecPath.Scalar, supported[0]);
        Assert.Equal(supported[^1], CodecPaths.Best);
        Assert.Equal(Gfni.V512.IsSupported && Vector512.IsHardwareAccelerated, supported.Contains(CodecPath.Gfni512));
        Assert.Equal(Gfni.V256.IsSupported && Vector256.IsHardwareAccelerated, supported.Contains(CodecPath.Gfni256));
        Assert.Equal(Avx512BW.IsSupported, supported.Contains(CodecPath.Avx512));
        Assert.Equal(Avx2.IsSupported, supported.Contains(CodecPath.Avx2));
        Assert.Equal(Vector128.IsHardwareAccelerated, supported.Contains(CodecPath.Vector128));

        // Set by CodecPathIsolationTests next to the matching DOTNET_Enable* switch.
        if (Expect("UGLOO_EXPECT_NO_GFNI"))
        {
            Assert.DoesNotContain(CodecPath.Gfni512, supported);
            Assert.DoesNotContain(CodecPath.Gfni256, supported);
        }

        if (Expect("UGLOO_EXPECT_NO_AVX512"))
        {
            Assert.DoesNotContain(CodecPath.Gfni512, supported);
            Assert.DoesNotContain(CodecPath.Avx512, supported);
        }

        if (Expect("UGLOO_EXPECT_NO_AVX2"))
        {
            Assert.DoesNotContain(CodecPath.Avx2, supported);
            Assert.DoesNotContain(CodecPath.Gfni256, supported);
        }

        if (Expect("UGLOO_EXPECT_SCALAR_ONLY"))
        {
            Assert.Equal([CodecPath.Scalar], supported);
        }
    }

    [Fact]
    public void Unsupported_paths_are_refused()
    {
        foreach (CodecPath path in Enum.GetValues<CodecPath>().Where(p => !CodecPaths.IsSupported(p)))
        {
            Assert.Throws<PlatformNotSupportedException>(() => new ReedSolomon(4, 2, path));
        }
    }

    private static bool Expect(string name) => Environment.GetEnvironmentVariable(name) == "1";

    private static void AssertEncodeMatchesOracle(Random random, CodecPath path, int k, int m, int length)
    {
        byte[][] fragments = ReedSolomonTests.RandomFragments(random, k, m, length);
        new ReedSolomon(k, m, CodecPath.Scalar).Encode(ReedSolomonTests.Data(fragments, k), ReedSolomonTests.Parity(fragments, k));

        // The path under test reads and writes slices at odd offsets of larger arrays, so loads and
        // stores are unaligned and any write outside a fragment shows up in its guard bytes.
        Slice[] data = [.. fragments[..k].Select(f => Slice.Copy(random, f))];
        Slice[] parity = [.. Enumerable.Range(0, m).Select(_ => Slice.Fill(random, length))];
        new ReedSolomon(k, m, path).Encode(Slice.ReadOnly(data), Slice.Writable(parity));

        for (int i = 0; i < m; i++)
        {
            Assert.True(
                fragments[k + i].AsSpan().SequenceEqual(parity[i].Contents.Span),
                $"{path}: RS({k},{m}) parity {i} differs from the oracle at length {length}.");
            parity[i].AssertGuardsIntact();
        }

        foreach (Slice input in data)
        {
            input.AssertGuardsIntact();
        }
    }

    /// <summary>A fragment at a random odd offset inside a larger array, with known guard bytes around it.</summary>
    private sealed class Slice
    {
        private const byte Guard = 0xA5;
        private readonly byte[] _array;
        private readonly int _offset;
        private readonly int _length;

        private Slice(Random random, int length)
        {
            _offset = (random.Next(0, 32) * 2) + 1;
            _length = length;
            _array = new byte[_offset + length + 67];
            _array.AsSpan().Fill(Guard);
        }

        public Memory<byte> Contents => _array.AsMemory(_offset, _length);

        public static Slice Copy(Random random, byte[] source)
        {
            var slice = new Slice(random, source.Length);
            source.CopyTo(slice.Contents);
            return slice;
        }

        /// <summary>An output slice pre-filled with garbage: the kernels must overwrite, not accumulate.</summary>
        public static Slice Fill(Random random, int length)
        {
            var slice = new Slice(random, length);
            random.NextBytes(slice.Contents.Span);
            return slice;
        }

        public static ReadOnlyMemory<byte>[] ReadOnly(Slice[] slices) => [.. slices.Select(s => (ReadOnlyMemory<byte>)s.Contents)];

        public static Memory<byte>[] Writable(Slice[] slices) => [.. slices.Select(s => s.Contents)];

        public void AssertGuardsIntact()
        {
            Assert.True(_array.AsSpan(0, _offset).IndexOfAnyExcept(Guard) < 0, "A kernel wrote before the fragment.");
            Assert.True(_array.AsSpan(_offset + _length).IndexOfAnyExcept(Guard) < 0, "A kernel wrote past the fragment.");
        }
    }

    /// <summary>Memory whose <see cref="System.Runtime.InteropServices.MemoryMarshal.TryGetArray{T}"/> fails, like native buffers.</summary>
    private sealed class OwnedMemory(byte[] array) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => array;

        public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class DisposableList : IDisposable
    {
        private readonly List<IDisposable> _items = [];

        public T Add<T>(T item)
            where T : IDisposable
        {
            _items.Add(item);
            return item;
        }

        public void Dispose()
        {
            foreach (IDisposable item in _items)
            {
                item.Dispose();
            }
        }
    }
}
