using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Objects;

/// <summary>
/// How a segment maps onto fragments. The sealed segment (ciphertext + 16-byte tag) is padded with zeros
/// to k x fragment length and cut into k equal data fragments; the fragment length is
/// ceil(sealed / k) rounded up to <see cref="FragmentAlignment"/> bytes so every fragment starts on a
/// cache line and SIMD kernels run without a ragged tail. Everything here follows from the public
/// manifest fields, so it is computed rather than stored.
/// </summary>
internal static class SegmentLayout
{
    public const int FragmentAlignment = 64;

    /// <summary>Segments of an object: an empty object still has one (sealed, empty) segment, so it authenticates.</summary>
    public static int SegmentCount(long plaintextSize, int segmentSize) =>
        plaintextSize == 0 ? 1 : checked((int)((plaintextSize + segmentSize - 1) / segmentSize));

    public static int PlaintextLength(long plaintextSize, int segmentSize, int segmentIndex) =>
        (int)Math.Min(segmentSize, plaintextSize - ((long)segmentIndex * segmentSize));

    public static int SealedLength(int plaintextLength) => plaintextLength + SegmentCipher.TagSize;

    public static int FragmentLength(int sealedLength, int dataFragments, int alignment)
    {
        long perFragment = (sealedLength + (long)dataFragments - 1) / dataFragments;
        return checked((int)((perFragment + alignment - 1) / alignment * alignment));
    }

    /// <summary>The buffer that holds a sealed segment and its padding: the k data fragments back to back.</summary>
    public static int DataBufferLength(int plaintextLength, int dataFragments, int alignment) =>
        checked(dataFragments * FragmentLength(SealedLength(plaintextLength), dataFragments, alignment));
}
