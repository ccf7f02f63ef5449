using System.Text;
using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Tests.Protocol;

public sealed class BencodeTests
{
    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    [Theory]
    [InlineData("i0e", 0L)]
    [InlineData("i3e", 3L)]
    [InlineData("i-3e", -3L)]
    [InlineData("i9223372036854775807e", long.MaxValue)]
    [InlineData("i-9223372036854775808e", long.MinValue)]
    public void Integers_decode_and_encode_to_the_same_bytes(string text, long value)
    {
        var decoded = Assert.IsType<BInteger>(BencodeDecoder.Decode(B(text)));
        Assert.Equal(value, decoded.Value);
        Assert.Equal(B(text), BencodeEncoder.Encode(new BInteger(value)));
    }

    [Fact]
    public void Golden_bytes_of_the_BEP3_examples()
    {
        // BEP 3: "4:spam corresponds to 'spam'", "l4:spam4:eggse corresponds to ['spam', 'eggs']",
        // "d3:cow3:moo4:spam4:eggse corresponds to {'cow': 'moo', 'spam': 'eggs'}".
        Assert.Equal(B("4:spam"), BencodeEncoder.Encode(new BString("spam")));
        Assert.Equal(B("0:"), BencodeEncoder.Encode(new BString([])));
        Assert.Equal(B("l4:spam4:eggse"), BencodeEncoder.Encode(new BList([new BString("spam"), new BString("eggs")])));

        var d = new BDictionary();
        d.Set("spam", "eggs");
        d.Set("cow", "moo"); // inserted out of order: the encoding must still be sorted
        Assert.Equal(B("d3:cow3:moo4:spam4:eggse"), BencodeEncoder.Encode(d));

        var nested = new BDictionary();
        nested.Set("spam", new BList([new BString("a"), new BString("b")]));
        Assert.Equal(B("d4:spaml1:a1:bee"), BencodeEncoder.Encode(nested));
    }

    [Fact]
    public void Dictionary_keys_sort_as_raw_bytes_not_text()
    {
        var d = new BDictionary();
        d.Set([0xC3, 0xA9], new BInteger(1)); // "é" in UTF-8 sorts after every ASCII key
        d.Set("z", 2);
        d.Set("Z", 3); // 'Z' (0x5A) < 'z' (0x7A)
        Assert.Equal("d1:Zi3e1:zi2e2:\u00C3\u00A9i1ee", Encoding.Latin1.GetString(BencodeEncoder.Encode(d)));
    }

    [Fact]
    public void Nested_values_round_trip()
    {
        var random = new Random(42);
        for (int i = 0; i < 200; i++)
        {
            BValue value = RandomValue(random, 0);
            byte[] encoded = BencodeEncoder.Encode(value);
            byte[] again = BencodeEncoder.Encode(BencodeDecoder.Decode(encoded));
            Assert.Equal(encoded, again);
        }
    }

    [Fact]
    public void Binary_strings_keep_every_byte()
    {
        byte[] all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var decoded = Assert.IsType<BString>(BencodeDecoder.Decode(BencodeEncoder.Encode(new BString(all))));
        Assert.Equal(all, decoded.Span.ToArray());
    }

    [Theory]
    [InlineData("", 0)]                 // empty input
    [InlineData("ie", 0)]               // empty integer
    [InlineData("i-e", 0)]
    [InlineData("i03e", 0)]             // leading zero
    [InlineData("i00e", 0)]
    [InlineData("i-0e", 0)]             // negative zero
    [InlineData("i-01e", 0)]
    [InlineData("i+1e", 1)]
    [InlineData("i1", 2)]               // unterminated
    [InlineData("i1x", 2)]
    [InlineData("i9223372036854775808e", 0)]   // long.MaxValue + 1
    [InlineData("i-9223372036854775809e", 0)]
    [InlineData("i99999999999999999999999e", 0)]
    [InlineData("5:abc", 0)]            // string past the end
    [InlineData("03:abc", 0)]           // leading zero in length
    [InlineData("3abc", 1)]             // no colon
    [InlineData("3", 1)]
    [InlineData("-1:a", 0)]
    [InlineData("l", 1)]                // unterminated list
    [InlineData("li1e", 4)]
    [InlineData("d", 1)]                // unterminated dictionary
    [InlineData("d1:a", 4)]             // key without value
    [InlineData("di1ei2ee", 1)]         // non-string key
    [InlineData("d1:bi1e1:ai2ee", 7)]   // unsorted keys
    [InlineData("d1:ai1e1:ai2ee", 7)]   // duplicate keys
    [InlineData("i1ei2e", 3)]           // trailing bytes
    [InlineData("4:spamx", 6)]
    [InlineData("e", 0)]
    [InlineData("x", 0)]
    public void Malformed_input_throws_with_the_offset(string text, long offset)
    {
        BencodeException e = Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(B(text)));
        Assert.Equal(offset, e.Offset);
        Assert.IsAssignableFrom<FormatException>(e);
    }

    [Fact]
    public void Depth_limit_is_enforced()
    {
        var options = new BencodeOptions { MaxDepth = 3 };
        Assert.IsType<BList>(BencodeDecoder.Decode(B("llleee"), options));
        Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(B("lllleeee"), options));

        // The default bound stops a stack-exhausting input quickly.
        byte[] deep = [.. Enumerable.Repeat((byte)'l', 100_000), .. Enumerable.Repeat((byte)'e', 100_000)];
        Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(deep));
    }

    [Fact]
    public void String_length_limit_is_checked_before_allocating()
    {
        var options = new BencodeOptions { MaxStringLength = 4 };
        Assert.IsType<BString>(BencodeDecoder.Decode(B("4:spam"), options));
        Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(B("5:spams"), options));

        // A claimed 2 GB string in a 14-byte input fails on the claim, not on an allocation.
        Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(B("2147483647:abc")));
        Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(B("99999999999999999999:abc")));
    }

    [Fact]
    public void Item_and_input_limits_are_enforced()
    {
        var options = new BencodeOptions { MaxItems = 3 };
        Assert.IsType<BList>(BencodeDecoder.Decode(B("li1ei2ee"), options));
        Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(B("li1ei2ei3ee"), options));
        Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(B("d1:ai1e1:bi1ee"), options)); // keys count

        Assert.Throws<BencodeException>(() => BencodeDecoder.Decode(B("4:spam"), new BencodeOptions { MaxInputLength = 5 }));
    }

    [Fact]
    public void DecodePrefix_reports_where_the_value_ends()
    {
        byte[] input = B("d1:ai1ee\x01\x02\x03");
        BValue value = BencodeDecoder.DecodePrefix(input, out int consumed);
        Assert.Equal(8, consumed);
        Assert.True(((BDictionary)value).TryGetInteger("a", out long a) && a == 1);
    }

    [Fact]
    public void Random_garbage_only_ever_throws_BencodeException()
    {
        var random = new Random(7);
        byte[] alphabet = B("0123456789ield:-e");
        for (int i = 0; i < 20_000; i++)
        {
            byte[] input = new byte[random.Next(0, 24)];
            for (int j = 0; j < input.Length; j++)
            {
                input[j] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            try
            {
                BValue value = BencodeDecoder.Decode(input);

                // Whatever decodes was canonical: it re-encodes to the very same bytes.
                Assert.Equal(input, BencodeEncoder.Encode(value));
            }
            catch (BencodeException)
            {
            }
        }
    }

    private static BValue RandomValue(Random random, int depth)
    {
        switch (depth >= 4 ? random.Next(2) : random.Next(4))
        {
            case 0:
                return new BInteger(random.NextInt64(long.MinValue, long.MaxValue));
            case 1:
                byte[] bytes = new byte[random.Next(0, 40)];
                random.NextBytes(bytes);
                return new BString(bytes);
            case 2:
                var list = new BList();
                for (int i = random.Next(0, 5); i > 0; i--)
                {
                    list.Add(RandomValue(random, depth + 1));
                }

                return list;
            default:
                var d = new BDictionary();
                for (int i = random.Next(0, 5); i > 0; i--)
                {
                    byte[] key = new byte[random.Next(0, 6)];
                    random.NextBytes(key);
                    d.Set(key, RandomValue(random, depth + 1));
                }

                return d;
        }
    }
}
