using System.Buffers.Binary;
using System.Security.Cryptography;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Crypto;

/// <summary>
/// Seals and opens the segments of one object with AES-256-GCM (<see cref="CipherSuite.Aes256Gcm"/>),
/// in place. Not thread-safe (AesGcm is not): one instance per worker.
/// <para>
/// Nonce (12 bytes): the segment's generation as big-endian u64, then the segment index as big-endian u32.
/// Every object has its own random key. Its first write seals every segment under generation 0 (and
/// <see cref="ObjectKey"/> refuses a second first write); a revision of the object (a new version that
/// rewrites some segments and keeps the others) seals the segments it rewrites under a fresh random
/// non-zero generation, so (generation, index) never repeats under a key: a collision needs two revisions
/// of one object to draw the same 64-bit number. Generation 0 gives the same 12 bytes as the first layout
/// (4 zero bytes and a big-endian u64 index), so objects written before revisions existed still open.
/// </para>
/// <para>
/// Associated data (26 bytes), authenticated but not stored:
/// <code>
/// offset size field
///      0    1 cipher suite id (1)
///      1   16 object id
///     17    8 segment index, big-endian u64
///     25    1 flags: bit 0 = last segment of the object
/// </code>
/// The index stops reordering and swapping, the object id stops moving segments between objects, the
/// last flag stops truncation: a manifest cut short ends on a segment sealed as "not last". Sealed
/// layout: ciphertext (same length as the plaintext) followed by the 16-byte tag.
/// </para>
/// </summary>
internal sealed class SegmentCipher : IDisposable
{
    public const int TagSize = 16;
    public const int NonceSize = 12;
    public const int AssociatedDataSize = 26;

    private readonly AesGcm _aes;
    private readonly ObjectId _objectId;

    public SegmentCipher(ObjectKey key, ObjectId objectId)
    {
        _aes = new AesGcm(key.Bytes, TagSize);
        _objectId = objectId;
    }

    /// <summary>Encrypts <paramref name="buffer"/>[..plaintextLength] in place and writes the tag right after it.</summary>
    public void Seal(int segmentIndex, ulong generation, bool isLast, Span<byte> buffer, int plaintextLength)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        Span<byte> ad = stackalloc byte[AssociatedDataSize];
        Fill(segmentIndex, generation, isLast, nonce, ad);
        Span<byte> text = buffer[..plaintextLength];
        _aes.Encrypt(nonce, text, text, buffer.Slice(plaintextLength, TagSize), ad);
    }

    /// <summary>
    /// Decrypts <paramref name="sealedSegment"/> (ciphertext + tag) in place; the plaintext is its first
    /// <c>Length - TagSize</c> bytes. Throws <see cref="SegmentAuthenticationException"/> on any mismatch.
    /// </summary>
    public void Open(int segmentIndex, ulong generation, bool isLast, Span<byte> sealedSegment) =>
        Open(segmentIndex, generation, isLast, sealedSegment, sealedSegment[..^TagSize]);

    /// <summary>
    /// Decrypts <paramref name="sealedSegment"/> (ciphertext + tag) into <paramref name="plaintext"/>, which is
    /// exactly <c>Length - TagSize</c> bytes and either the same memory as the ciphertext or not overlapping it.
    /// Throws <see cref="SegmentAuthenticationException"/> on any mismatch.
    /// </summary>
    public void Open(int segmentIndex, ulong generation, bool isLast, ReadOnlySpan<byte> sealedSegment, Span<byte> plaintext)
    {
        int plaintextLength = sealedSegment.Length - TagSize;
        ArgumentOutOfRangeException.ThrowIfNotEqual(plaintext.Length, plaintextLength, nameof(plaintext));
        Span<byte> nonce = stackalloc byte[NonceSize];
        Span<byte> ad = stackalloc byte[AssociatedDataSize];
        Fill(segmentIndex, generation, isLast, nonce, ad);
        try
        {
            _aes.Decrypt(nonce, sealedSegment[..plaintextLength], sealedSegment[plaintextLength..], plaintext, ad);
        }
        catch (AuthenticationTagMismatchException e)
        {
            // AesGcm has already zeroed the output, so no unauthenticated plaintext survives.
            throw new SegmentAuthenticationException(_objectId.ToString(), segmentIndex, e);
        }
    }

    private void Fill(int segmentIndex, ulong generation, bool isLast, Span<byte> nonce, Span<byte> ad)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(segmentIndex);
        BinaryPrimitives.WriteUInt64BigEndian(nonce, generation);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], (uint)segmentIndex);
        ad[0] = (byte)CipherSuite.Aes256Gcm;
        _objectId.WriteTo(ad.Slice(1, ObjectId.Size));
        BinaryPrimitives.WriteUInt64BigEndian(ad.Slice(17, 8), (ulong)segmentIndex);
        ad[25] = isLast ? (byte)1 : (byte)0;
    }

    public void Dispose() => _aes.Dispose();
}
