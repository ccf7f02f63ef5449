namespace Ugloo.Engine.Tests;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("500M", 500L << 20)]
    [InlineData("10GiB", 10L << 30)]
    [InlineData("1.5T", 3L << 39)]
    [InlineData("2kb", 2048L)]
    [InlineData(" 7 ", 7L)]
    public void Sizes_parse_as_people_type_them(string text, long expected)
    {
        Assert.Equal(expected, ByteSize.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-5G")]
    [InlineData("ten")]
    [InlineData("5X")]
    [InlineData("99999999P")]
    public void Nonsense_is_refused_with_an_example(string text)
    {
        FormatException ex = Assert.Throws<FormatException>(() => ByteSize.Parse(text));
        Assert.Contains("500M", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1536L, "1.5 KiB")]
    [InlineData(10L << 30, "10.0 GiB")]
    public void Sizes_format_for_humans(long bytes, string expected)
    {
        Assert.Equal(expected, ByteSize.Format(bytes));
    }
}
