using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Tests.Objects;

public sealed class FragmentIdTests
{
    [Fact]
    public void Ids_are_blake3_of_the_bytes()
    {
        // Official BLAKE3 test value for "abc": nodes and clients built by anyone must agree on it.
        Assert.Equal("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85", FragmentId.Compute("abc"u8).ToString());
        Assert.Equal("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", FragmentId.Compute([]).ToString());
    }

    [Fact]
    public void Hashing_in_pieces_gives_the_same_id_as_hashing_the_whole()
    {
        byte[] bytes = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(bytes);
        using var hasher = new FragmentHasher();
        for (int offset = 0; offset < bytes.Length; offset += 100_003)
        {
            hasher.Append(bytes.AsSpan(offset, Math.Min(100_003, bytes.Length - offset)));
        }

        Assert.Equal(FragmentId.Compute(bytes), hasher.Finish());

        // After Finish the hasher starts over.
        hasher.Append("abc"u8);
        Assert.Equal(FragmentId.Compute("abc"u8), hasher.Finish());
    }

    [Fact]
    public void A_flipped_bit_changes_the_id()
    {
        byte[] bytes = new byte[4096];
        FragmentId before = FragmentId.Compute(bytes);
        bytes[1234] ^= 1;
        Assert.False(before.Matches(bytes));
    }

    [Fact]
    public void Ids_round_trip_through_hex()
    {
        FragmentId id = FragmentId.Compute("x"u8);
        Assert.Equal(id, FragmentId.Parse(id.ToString()));
        Assert.Throws<FormatException>(() => FragmentId.Parse("abcd"));
    }
}
