using System.Buffers.Binary;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// struct fuse_setxattr_in as sent without FUSE_SETXATTR_EXT (FUSE_COMPAT_SETXATTR_IN_SIZE, 8 bytes; we
/// never negotiate the 16-byte 7.33 extension): <c>0 u32 size (of the value), 4 u32 flags (XATTR_*)</c>,
/// then the NUL-terminated name, then size bytes of value.
/// </summary>
internal readonly record struct FuseSetXattrIn(uint Size, uint Flags)
{
    public const int WireSize = 8;

    public static FuseSetXattrIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_setxattr_in");
        return new FuseSetXattrIn(BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Flags);
    }
}

/// <summary>
/// struct fuse_getxattr_in and fuse_getxattr_out, 8 bytes each (7.1): <c>0 u32 size, 4 u32 padding</c>.
/// In GETXATTR/LISTXATTR a request size of 0 asks only for the length, answered in fuse_getxattr_out; a
/// non-zero size asks for the data itself (ERANGE if it does not fit).
/// </summary>
internal readonly record struct FuseXattrSize(uint Size)
{
    public const int WireSize = 8;

    public static FuseXattrSize Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_getxattr_in");
        return new FuseXattrSize(BinaryPrimitives.ReadUInt32LittleEndian(s));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], 0);
    }
}

/// <summary>The namespace of the attribute a GETXATTR names (body: fuse_getxattr_in, then the name, NUL-terminated).</summary>
internal static class FuseXattrName
{
    /// <summary>
    /// Whether the GETXATTR body names an attribute outside <c>user.*</c> (security.*, system.*, trusted.*),
    /// read from the bytes without decoding the name: this runs for every file <c>ls -l</c> lists. A body too
    /// short to hold a name is not judged here (the full decoder reports it as malformed).
    /// </summary>
    public static bool IsOutsideUserNamespace(ReadOnlySpan<byte> getXattrBody) =>
        getXattrBody.Length > FuseXattrSize.WireSize && !getXattrBody[FuseXattrSize.WireSize..].StartsWith("user."u8);
}
