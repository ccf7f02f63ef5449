using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ugloo.Engine.Objects;

/// <summary>
/// The id of one immutable object (one sealed file version or pack): 128 random bits, public. It is
/// bound into every segment's and the wrapped key's associated data, so sealed bytes cannot be moved
/// from one object to another undetected.
/// </summary>
public readonly struct ObjectId : IEquatable<ObjectId>
{
    public const int Size = 16;

    private readonly ulong _hi, _lo;

    public ObjectId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"An object id is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _hi = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _lo = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
    }

    /// <summary>A fresh id from the OS CSPRNG; collisions are negligible below 2^64 objects.</summary>
    public static ObjectId New()
    {
        Span<byte> bytes = stackalloc byte[Size];
        RandomNumberGenerator.Fill(bytes);
        return new ObjectId(bytes);
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _lo);
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Lower-case hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(ToArray());

    public static ObjectId Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != Size * 2)
        {
            throw new FormatException($"An object id is {Size * 2} hex digits, not {hex.Length}.");
        }

        return new ObjectId(Convert.FromHexString(hex));
    }

    public bool Equals(ObjectId other) => _hi == other._hi && _lo == other._lo;

    public override bool Equals(object? obj) => obj is ObjectId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_hi, _lo);

    public static bool operator ==(ObjectId left, ObjectId right) => left.Equals(right);

    public static bool operator !=(ObjectId left, ObjectId right) => !left.Equals(right);
}
