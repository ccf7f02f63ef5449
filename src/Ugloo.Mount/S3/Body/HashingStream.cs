using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Ugloo.Mount.S3.Body;

/// <summary>
/// A read-only pass-through that hashes every byte read: always MD5 (the ETag), and the checksums the
/// request asked to be verified (x-amz-content-sha256 as a hex hash, x-amz-checksum-* in a header or a
/// trailer). Nothing is buffered.
/// </summary>
internal sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private readonly IncrementalHash? _sha256;
    private readonly IncrementalHash? _sha1;
    private readonly Crc32? _crc32;
    private readonly ReflectedCrc? _crc32C;
    private readonly ReflectedCrc? _crc64Nvme;

    public HashingStream(Stream inner, ISet<string> algorithms)
    {
        _inner = inner;
        _sha256 = algorithms.Contains("sha256") ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        _sha1 = algorithms.Contains("sha1") ? IncrementalHash.CreateHash(HashAlgorithmName.SHA1) : null;
        _crc32 = algorithms.Contains("crc32") ? new Crc32() : null;
        _crc32C = algorithms.Contains("crc32c") ? ReflectedCrc.Crc32C() : null;
        _crc64Nvme = algorithms.Contains("crc64nvme") ? ReflectedCrc.Crc64Nvme() : null;
    }

    /// <summary>The checksum algorithms S3 defines (x-amz-checksum-NAME).</summary>
    public static IReadOnlySet<string> KnownAlgorithms { get; } = new HashSet<string>(StringComparer.Ordinal) { "crc32", "crc32c", "crc64nvme", "sha1", "sha256" };

    public long Count { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => Count; set => throw new NotSupportedException(); }

    public byte[] Md5() => _md5.GetCurrentHash();

    /// <summary>The digest of <paramref name="algorithm"/> over everything read so far (big-endian for CRCs).</summary>
    public byte[] Digest(string algorithm) => algorithm switch
    {
        "sha256" => _sha256!.GetCurrentHash(),
        "sha1" => _sha1!.GetCurrentHash(),
        "crc32" => BigEndian(_crc32!.GetCurrentHashAsUInt32()),
        "crc32c" => _crc32C!.GetBigEndian(),
        "crc64nvme" => _crc64Nvme!.GetBigEndian(),
        _ => throw new ArgumentException($"Unknown checksum {algorithm}", nameof(algorithm)),
    };

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = _inner.Read(buffer);
        Append(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Append(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

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
            _md5.Dispose();
            _sha256?.Dispose();
            _sha1?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        Count += data.Length;
        _md5.AppendData(data);
        _sha256?.AppendData(data);
        _sha1?.AppendData(data);
        _crc32?.Append(data);
        _crc32C?.Append(data);
        _crc64Nvme?.Append(data);
    }

    private static byte[] BigEndian(uint value)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
