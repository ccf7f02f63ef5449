using System.Buffers.Binary;

namespace Ugloo.Engine.Placement;

/// <summary>
/// The 32-byte identity of a cluster member (e.g. the SHA-256 of its public key). Named MemberId rather than
/// NodeId so it does not collide with the 20-byte DHT node id of BEP 5.
/// </summary>
public readonly struct MemberId : IEquatable<MemberId>, IComparable<MemberId>
{
    public const int Size = 32;

    private readonly ulong _a, _b, _c, _d;

    public MemberId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A member id is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>All 256 bits folded to 64 for hashing; ids are uniformly random, so folding loses nothing useful.</summary>
    internal ulong Fold => _a ^ _b ^ _c ^ _d;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public static MemberId Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != Size * 2)
        {
            throw new FormatException($"A member id is {Size * 2} hex digits, not {hex.Length}.");
        }

        return new MemberId(Convert.FromHexString(hex));
    }

    public int CompareTo(MemberId other)
    {
        int c = _a.CompareTo(other._a);
        if (c == 0)
        {
            c = _b.CompareTo(other._b);
        }

        if (c == 0)
        {
            c = _c.CompareTo(other._c);
        }

        return c != 0 ? c : _d.CompareTo(other._d);
    }

    public bool Equals(MemberId other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is MemberId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    public static bool operator ==(MemberId left, MemberId right) => left.Equals(right);

    public static bool operator !=(MemberId left, MemberId right) => !left.Equals(right);

    public static bool operator <(MemberId left, MemberId right) => left.CompareTo(right) < 0;

    public static bool operator <=(MemberId left, MemberId right) => left.CompareTo(right) <= 0;

    public static bool operator >(MemberId left, MemberId right) => left.CompareTo(right) > 0;

    public static bool operator >=(MemberId left, MemberId right) => left.CompareTo(right) >= 0;
}
