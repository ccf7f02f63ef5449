using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ugloo.Mount.S3.Auth;

/// <summary>
/// Decodes an <c>aws-chunked</c> request body (S3 API Reference, "Signature calculation: transfer payload in
/// multiple chunks" and "… including trailing headers") while it streams, in its three forms:
/// <list type="bullet">
/// <item>STREAMING-AWS4-HMAC-SHA256-PAYLOAD: <c>hex-size;chunk-signature=SIG\r\nDATA\r\n</c> … ending with a
/// zero-size chunk and a blank line; each signature chains from the previous one (the first from the seed,
/// the request's own signature) over SHA-256 of the chunk's data.</item>
/// <item>STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the same, then trailing header lines
/// (<c>x-amz-checksum-crc32:BASE64</c>) and <c>x-amz-trailer-signature:SIG</c> over them, then a blank line.</item>
/// <item>STREAMING-UNSIGNED-PAYLOAD-TRAILER: <c>hex-size\r\nDATA\r\n</c> … <c>0\r\n</c>, trailing headers, blank line.</item>
/// </list>
/// Data is handed on as it arrives (nothing is buffered beyond one read), so a bad signature surfaces as an
/// <see cref="S3Exception"/> from a later read or the final one: the caller records nothing until the stream
/// has ended cleanly. Framing lines are limited to <see cref="MaxLineLength"/> bytes.
/// </summary>
internal sealed class AwsChunkedStream : Stream
{
    public const int MaxLineLength = 4096;

    private const int BufferSize = 64 * 1024;

    private readonly Stream _inner;
    private readonly bool _signed;
    private readonly bool _trailer;
    private readonly RequestIdentity? _identity;
    private readonly long? _decodedLength;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly IncrementalHash? _chunkHash;
    private int _start;
    private int _end;
    private long _chunkRemaining;
    private string? _chunkSignature;
    private string _previousSignature;
    private long _total;
    private bool _done;

    /// <param name="inner">The raw body.</param>
    /// <param name="mode">The x-amz-content-sha256 value: one of the three STREAMING-… modes.</param>
    /// <param name="identity">The verified request (its seed signature and signing key); required for the signed modes.</param>
    /// <param name="decodedLength">x-amz-decoded-content-length, checked at the end when given.</param>
    public AwsChunkedStream(Stream inner, string mode, RequestIdentity? identity, long? decodedLength)
    {
        _inner = inner;
        (_signed, _trailer) = mode switch
        {
            SigV4.StreamingPayload => (true, false),
            SigV4.StreamingPayloadTrailer => (true, true),
            SigV4.StreamingUnsignedTrailer => (false, true),
            _ => throw new ArgumentException($"Not an aws-chunked mode: {mode}", nameof(mode)),
        };
        if (_signed)
        {
            _identity = identity ?? throw new ArgumentNullException(nameof(identity));
            _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        _previousSignature = identity?.SeedSignature ?? "";
        _decodedLength = decodedLength;
    }

    public static bool IsChunkedMode(string? payloadHash) =>
        payloadHash is SigV4.StreamingPayload or SigV4.StreamingPayloadTrailer or SigV4.StreamingUnsignedTrailer;

    /// <summary>The trailing headers (lower-case names), available once the stream has ended.</summary>
    public Dictionary<string, string> Trailers { get; } = new(StringComparer.Ordinal);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _total; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.Length == 0)
        {
            return 0;
        }

        while (!_done)
        {
            if (_chunkRemaining == 0)
            {
                await StartChunkAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw S3Errors.IncompleteBody();
            }

            int n = (int)Math.Min(Math.Min(destination.Length, _end - _start), _chunkRemaining);
            _buffer.AsSpan(_start, n).CopyTo(destination.Span);
            _chunkHash?.AppendData(_buffer, _start, n);
            _start += n;
            _chunkRemaining -= n;
            _total += n;
            if (_chunkRemaining == 0)
            {
                await EndChunkAsync(cancellationToken).ConfigureAwait(false);
            }

            return n;
        }

        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _chunkHash?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads a chunk header; a zero-size chunk ends the body (with its trailer, if any).</summary>
    private async Task StartChunkAsync(CancellationToken cancellationToken)
    {
        string header = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        string sizeText = header;
        _chunkSignature = null;
        int semicolon = header.IndexOf(';', StringComparison.Ordinal);
        if (semicolon >= 0)
        {
            sizeText = header[..semicolon];
            const string prefix = "chunk-signature=";
            string extension = header[(semicolon + 1)..];
            if (extension.StartsWith(prefix, StringComparison.Ordinal))
            {
                _chunkSignature = extension[prefix.Length..];
            }
        }

        if (sizeText.Length is 0 or > 16 || !long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long size) || size < 0)
        {
            throw Malformed($"bad chunk size '{Truncate(sizeText)}'");
        }

        if (_signed && _chunkSignature is not { Length: 64 })
        {
            throw Malformed("a chunk has no chunk-signature");
        }

        if (size > 0)
        {
            _chunkRemaining = size;
            return;
        }

        // The final chunk signs the empty string.
        VerifyChunkSignature();
        if (_trailer)
        {
            await ReadTrailerAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (await ReadLineAsync(cancellationToken).ConfigureAwait(false) != "")
        {
            throw Malformed("data after the final chunk");
        }

        if (_decodedLength is long expected && expected != _total)
        {
            throw S3Errors.IncompleteBody();
        }

        _done = true;
    }

    private async Task EndChunkAsync(CancellationToken cancellationToken)
    {
        if (await ReadLineAsync(cancellationToken).ConfigureAwait(false) != "")
        {
            throw Malformed("a chunk is longer than its declared size");
        }

        VerifyChunkSignature();
    }

    private void VerifyChunkSignature()
    {
        if (!_signed)
        {
            return;
        }

        string dataHash = Convert.ToHexStringLower(_chunkHash!.GetHashAndReset());
        string expected = SigV4.HmacHex(_identity!.SigningKey, SigV4.ChunkStringToSign(_identity.AmzDate, _identity.Scope, _previousSignature, dataHash));
        if (!SigV4.SignatureEquals(expected, _chunkSignature!))
        {
            throw S3Errors.SignatureDoesNotMatch();
        }

        _previousSignature = _chunkSignature!;
    }

    /// <summary>
    /// Trailing headers up to a blank line. In the signed form the last one is x-amz-trailer-signature,
    /// an HMAC over the other lines, each "name:value\n", chained from the final chunk's signature.
    /// </summary>
    private async Task ReadTrailerAsync(CancellationToken cancellationToken)
    {
        var signedPart = new StringBuilder();
        string? trailerSignature = null;
        while (true)
        {
            string line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line.Length == 0)
            {
                break;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Malformed($"bad trailer line '{Truncate(line)}'");
            }

            string name = line[..colon].Trim().ToLowerInvariant();
            string value = line[(colon + 1)..].Trim();
            if (name == "x-amz-trailer-signature")
            {
                trailerSignature = value;
                continue;
            }

            if (Trailers.Count >= 8)
            {
                throw Malformed("too many trailing headers");
            }

            Trailers[name] = value;
            signedPart.Append(name).Append(':').Append(value).Append('\n');
        }

        if (_signed)
        {
            if (trailerSignature is null)
            {
                throw Malformed("the trailer has no x-amz-trailer-signature");
            }

            string expected = SigV4.HmacHex(_identity!.SigningKey, SigV4.TrailerStringToSign(_identity.AmzDate, _identity.Scope, _previousSignature, SigV4.Sha256Hex(signedPart.ToString())));
            if (!SigV4.SignatureEquals(expected, trailerSignature))
            {
                throw S3Errors.SignatureDoesNotMatch();
            }
        }
    }

    /// <summary>One CRLF-terminated framing line (without the CRLF), at most <see cref="MaxLineLength"/> bytes.</summary>
    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw S3Errors.IncompleteBody();
            }

            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            int take = newline < 0 ? _end - _start : newline + 1;
            line.AddRange(_buffer.AsSpan(_start, take));
            _start += take;
            if (line.Count > MaxLineLength)
            {
                throw Malformed("a framing line is too long");
            }

            if (newline >= 0)
            {
                if (line.Count < 2 || line[^2] != (byte)'\r')
                {
                    throw Malformed("a framing line does not end with CRLF");
                }

                return Encoding.ASCII.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(line)[..^2]);
            }
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await _inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _end > 0;
    }

    private static S3Exception Malformed(string what) => S3Errors.InvalidRequest($"Malformed aws-chunked body: {what}.");

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
