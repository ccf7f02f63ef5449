using System.Buffers.Binary;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// struct fuse_in_header, 40 bytes, at the start of every request read from /dev/fuse:
/// <code>
///  0 u32 len           whole request including this header
///  4 u32 opcode
///  8 u64 unique        echoed in the reply
/// 16 u64 nodeid
/// 24 u32 uid, 28 u32 gid, 32 u32 pid   of the calling thread
/// 36 u16 total_extlen  (7.38) length of trailing extensions in 8-byte units; was padding before
/// 38 u16 padding
/// </code>
/// </summary>
internal readonly record struct FuseInHeader(
    uint Length, FuseOpcode Opcode, ulong Unique, ulong NodeId, uint Uid, uint Gid, uint Pid, ushort TotalExtLength)
{
    public const int WireSize = 40;

    public static FuseInHeader Read(ReadOnlySpan<byte> source)
    {
        FuseProtocolException.ThrowIfShort(source, WireSize, "fuse_in_header");
        return new FuseInHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(source),
            (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[28..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[32..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[36..]));
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)Opcode);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Unique);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], NodeId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], Gid);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[32..], Pid);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[36..], TotalExtLength);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[38..], 0);
    }
}

/// <summary>
/// struct fuse_out_header, 16 bytes, at the start of every reply written to /dev/fuse (7.0):
/// <code>
///  0 u32 len      whole reply including this header
///  4 i32 error    0 or a negated errno; an error reply has no body
///  8 u64 unique   the request's
/// </code>
/// </summary>
internal readonly record struct FuseOutHeader(uint Length, int Error, ulong Unique)
{
    public const int WireSize = 16;

    public static FuseOutHeader Read(ReadOnlySpan<byte> source)
    {
        FuseProtocolException.ThrowIfShort(source, WireSize, "fuse_out_header");
        return new FuseOutHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(source),
            BinaryPrimitives.ReadInt32LittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]));
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Length);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], Error);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Unique);
    }
}
