using System.Text;
using Ugloo.Mount.S3;
using Ugloo.Mount.S3.Auth;

namespace Ugloo.S3.Tests.Auth;

/// <summary>
/// The aws-chunked decoder: AWS's signed example decodes to its 66,560 bytes whatever the read sizes, and
/// every malformed or tampered body fails with an S3 error instead of yielding data that looks complete.
/// </summary>
public sealed class AwsChunkedStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65536)]
    public async Task SignedExampleDecodesWhateverTheReadSizes(int readSize)
    {
        byte[] decoded = await DecodeAsync(ChunkedExample.Body(), SigV4.StreamingPayload, readSize, 66560);
        Assert.Equal(66560, decoded.Length);
        Assert.All(decoded, b => Assert.Equal((byte)'a', b));
    }

    [Fact]
    public async Task TamperedChunkDataFailsItsSignature()
    {
        byte[] body = ChunkedExample.Body();
        body[100] = (byte)'b';
        S3Exception e = await Assert.ThrowsAsync<S3Exception>(() => DecodeAsync(body, SigV4.StreamingPayload, 4096, 66560));
        Assert.Equal("SignatureDoesNotMatch", e.Code);
    }

    [Fact]
    public async Task WrongFinalSignatureFails()
    {
        byte[] body = ChunkedExample.Body(final: new string('0', 64));
        S3Exception e = await Assert.ThrowsAsync<S3Exception>(() => DecodeAsync(body, SigV4.StreamingPayload, 4096, 66560));
        Assert.Equal("SignatureDoesNotMatch", e.Code);
    }

    [Fact]
    public async Task SwappedChunkSignaturesFail()
    {
        byte[] body = ChunkedExample.Body(chunk1: ChunkedExample.Chunk2Signature, chunk2: ChunkedExample.Chunk1Signature);
        S3Exception e = await Assert.ThrowsAsync<S3Exception>(() => DecodeAsync(body, SigV4.StreamingPayload, 4096, 66560));
        Assert.Equal("SignatureDoesNotMatch", e.Code);
    }

    [Fact]
    public async Task BodyCutAnywhereIsIncomplete()
    {
        byte[] body = ChunkedExample.Body();
        foreach (int cut in new[] { 0, 5, 90, 65536, 65620, 66700, body.Length - 3, body.Length - 1 })
        {
            S3Exception e = await Assert.ThrowsAsync<S3Exception>(() => DecodeAsync(body[..cut], SigV4.StreamingPayload, 4096, 66560));
            Assert.True(e.Code is "IncompleteBody" or "SignatureDoesNotMatch", $"cut at {cut}: {e.Code}");
        }
    }

    [Fact]
    public async Task DecodedLengthMismatchIsIncomplete()
    {
        S3Exception e = await Assert.ThrowsAsync<S3Exception>(() => DecodeAsync(ChunkedExample.Body(), SigV4.StreamingPayload, 4096, 66561));
        Assert.Equal("IncompleteBody", e.Code);
    }

    [Theory]
    [InlineData("zz\r\nabc\r\n0\r\n\r\n")] // not hex
    [InlineData("\r\n")] // empty size
    [InlineData("11111111111111111\r\n")] // 17 hex digits
    [InlineData("3\r\nabcdef\r\n0\r\n\r\n")] // chunk longer than declared
    [InlineData("3\nabc\r\n0\r\n\r\n")] // LF without CR
    [InlineData("3\r\nabc\r\n0\r\nno-colon-here\r\n\r\n")] // bad trailer line
    public async Task MalformedFramingIsInvalidRequest(string body)
    {
        S3Exception e = await Assert.ThrowsAsync<S3Exception>(() => DecodeAsync(Encoding.ASCII.GetBytes(body), SigV4.StreamingUnsignedTrailer, 4096, null));
        Assert.Equal("InvalidRequest", e.Code);
    }

    [Fact]
    public async Task OverlongFramingLineIsRefusedBeforeItIsBuffered()
    {
        byte[] body = Encoding.ASCII.GetBytes("3;" + new string('x', AwsChunkedStream.MaxLineLength * 4) + "\r\nabc\r\n0\r\n\r\n");
        S3Exception e = await Assert.ThrowsAsync<S3Exception>(() => DecodeAsync(body, SigV4.StreamingUnsignedTrailer, 4096, null));
        Assert.Equal("InvalidRequest", e.Code);
    }

    [Fact]
    public async Task UnsignedTrailerFormYieldsDataAndTrailers()
    {
        byte[] body = Encoding.ASCII.GetBytes("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n");
        using var stream = new AwsChunkedStream(new MemoryStream(body), SigV4.StreamingUnsignedTrailer, null, 11);
        using var output = new MemoryStream();
        await stream.CopyToAsync(output, TestContext.Current.CancellationToken);
        Assert.Equal("hello world", Encoding.ASCII.GetString(output.ToArray()));
        Assert.Equal("DUoRhQ==", stream.Trailers["x-amz-checksum-crc32"]);
    }

    [Fact]
    public async Task SignedTrailerFormWithoutTrailerSignatureIsRefused()
    {
        // The signed trailer form must end with x-amz-trailer-signature: a trailer without one could have been altered.
        RequestIdentity identity = SigV4VectorTests.Authenticator().Authenticate(ChunkedExample.Request());
        byte[] example = ChunkedExample.Body();
        string text = Encoding.Latin1.GetString(example);
        text = text[..^2] + "x-amz-checksum-crc32:AAAAAA==\r\n\r\n";
        using var stream = new AwsChunkedStream(new MemoryStream(Encoding.Latin1.GetBytes(text)), SigV4.StreamingPayloadTrailer, identity, 66560);
        S3Exception e = await Assert.ThrowsAsync<S3Exception>(() => stream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken));
        Assert.Equal("InvalidRequest", e.Code);
    }

    private static async Task<byte[]> DecodeAsync(byte[] body, string mode, int readSize, long? decodedLength)
    {
        RequestIdentity? identity = mode == SigV4.StreamingUnsignedTrailer ? null : SigV4VectorTests.Authenticator().Authenticate(ChunkedExample.Request());
        using var stream = new AwsChunkedStream(new TrickleStream(body, readSize), mode, identity, decodedLength);
        using var output = new MemoryStream();
        byte[] buffer = new byte[readSize];
        int n;
        while ((n = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            output.Write(buffer, 0, n);
        }

        return output.ToArray();
    }

    /// <summary>A body that arrives at most <c>step</c> bytes per read, as a network does.</summary>
    private sealed class TrickleStream(byte[] data, int step) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, step));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, step)], cancellationToken);
    }
}
