using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Crypto;

/// <summary>
/// The secret part of an object's record: its object key sealed under the volume key. Kept apart from
/// the public <see cref="ObjectManifest"/> (which nodes receive); only the client's catalog holds it,
/// and the catalog itself is stored encrypted. Serialized layout (62 bytes):
/// <code>
/// offset size field
///      0    1 format version (1)
///      1    1 cipher suite id (1 = AES-256-GCM)
///      2   12 random nonce
///     14   32 encrypted object key
///     46   16 GCM tag
/// </code>
/// The associated data is the suite id and the object id (not stored: the caller supplies it from the
/// manifest), so a wrapped key pasted onto another object fails to unwrap.
/// </summary>
public sealed class WrappedObjectKey
{
    public const byte CurrentVersion = 1;
    public const int SerializedLength = 2 + NonceSize + ObjectKey.Size + TagSize;

    internal const int NonceSize = 12;
    internal const int TagSize = 16;

    private readonly byte[] _bytes;

    private WrappedObjectKey(byte[] bytes)
    {
        _bytes = bytes;
    }

    public CipherSuite CipherSuite => (CipherSuite)_bytes[1];

    internal ReadOnlySpan<byte> Nonce => _bytes.AsSpan(2, NonceSize);

    internal ReadOnlySpan<byte> Ciphertext => _bytes.AsSpan(2 + NonceSize, ObjectKey.Size);

    internal ReadOnlySpan<byte> Tag => _bytes.AsSpan(2 + NonceSize + ObjectKey.Size, TagSize);

    internal static WrappedObjectKey Create(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag)
    {
        byte[] bytes = new byte[SerializedLength];
        bytes[0] = CurrentVersion;
        bytes[1] = (byte)CipherSuite.Aes256Gcm;
        nonce.CopyTo(bytes.AsSpan(2));
        ciphertext.CopyTo(bytes.AsSpan(2 + NonceSize));
        tag.CopyTo(bytes.AsSpan(2 + NonceSize + ObjectKey.Size));
        return new WrappedObjectKey(bytes);
    }

    public byte[] Serialize() => (byte[])_bytes.Clone();

    /// <summary>Parses the 62-byte form; throws <see cref="FormatException"/> on anything else.</summary>
    public static WrappedObjectKey Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != SerializedLength)
        {
            throw new FormatException($"A wrapped object key is {SerializedLength} bytes, not {bytes.Length}.");
        }

        if (bytes[0] != CurrentVersion)
        {
            throw new FormatException($"Unknown wrapped object key version {bytes[0]}.");
        }

        if (bytes[1] != (byte)CipherSuite.Aes256Gcm)
        {
            throw new FormatException($"Unknown cipher suite {bytes[1]} in wrapped object key.");
        }

        return new WrappedObjectKey(bytes.ToArray());
    }
}
