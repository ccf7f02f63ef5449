using Ugloo.Engine.Codec;

namespace Ugloo.Engine.Tests.Codec;

public sealed class ReedSolomonTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(4, 2)]
    [InlineData(10, 4)]
    [InlineData(17, 3)]
    [InlineData(200, 55)]
    public void Any_k_fragments_rebuild_every_lost_fragment(int k, int m)
    {
        var random = new Random(k * 1000 + m);
        var codec = new ReedSolomon(k, m, CodecPath.Scalar);
        int length = 37;
        byte[][] fragments = RandomFragments(random, k, m, length);
        codec.Encode(Data(fragments, k), Parity(fragments, k));

        for (int trial = 0; trial < 20; trial++)
        {
            int[] shuffled = Enumerable.Range(0, k + m).OrderBy(_ => random.Next()).ToArray();
            int[] available = shuffled[..k];
            int[] lost = shuffled[k..];
            byte[][] rebuilt = lost.Select(_ => new byte[length]).ToArray();

            codec.Reconstruct(
                available,
                available.Select(i => (ReadOnlyMemory<byte>)fragments[i]).ToArray(),
                lost,
                rebuilt.Select(b => (Memory<byte>)b).ToArray());

            for (int i = 0; i < lost.Length; i++)
            {
                Assert.Equal(fragments[lost[i]], rebuilt[i]);
            }
        }
    }

    [Fact]
    public void Parity_matches_the_cauchy_code_computed_by_hand()
    {
        // RS(2,1) with the Cauchy row [1/(2^0), 1/(2^1)] = [1/2, 1/3] over 0x11D.
        var codec = new ReedSolomon(2, 1, CodecPath.Scalar);
        byte[] a = [1, 0, 7];
        byte[] b = [0, 1, 9];
        byte[] parity = new byte[3];
        codec.Encode(new ReadOnlyMemory<byte>[] { a, b }, new Memory<byte>[] { parity });

        byte c0 = GaloisField.Inverse(2);
        byte c1 = GaloisField.Inverse(3);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal((byte)(GaloisField.Multiply(c0, a[i]) ^ GaloisField.Multiply(c1, b[i])), parity[i]);
        }
    }

    [Fact]
    public void Too_few_fragments_say_how_many_are_missing()
    {
        var codec = new ReedSolomon(4, 2, CodecPath.Scalar);
        var ex = Assert.Throws<InsufficientFragmentsException>(() => codec.Reconstruct(
            [0, 1],
            new ReadOnlyMemory<byte>[] { new byte[4], new byte[4] },
            [2],
            new Memory<byte>[] { new byte[4] }));
        Assert.Equal(4, ex.Required);
        Assert.Equal(2, ex.Available);
        Assert.Contains("2 missing", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, -1)]
    [InlineData(200, 56)]
    public void Invalid_shapes_are_refused(int k, int m)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReedSolomon(k, m, CodecPath.Scalar));
    }

    [Fact]
    public void Field_inverse_and_multiply_agree_for_every_element()
    {
        for (int a = 1; a < 256; a++)
        {
            Assert.Equal(1, GaloisField.Multiply((byte)a, GaloisField.Inverse((byte)a)));
        }
    }

    internal static byte[][] RandomFragments(Random random, int k, int m, int length)
    {
        byte[][] fragments = new byte[k + m][];
        for (int i = 0; i < k + m; i++)
        {
            fragments[i] = new byte[length];
            if (i < k)
            {
                random.NextBytes(fragments[i]);
            }
        }

        return fragments;
    }

    internal static ReadOnlyMemory<byte>[] Data(byte[][] fragments, int k) =>
        fragments[..k].Select(f => (ReadOnlyMemory<byte>)f).ToArray();

    internal static Memory<byte>[] Parity(byte[][] fragments, int k) =>
        fragments[k..].Select(f => (Memory<byte>)f).ToArray();
}
