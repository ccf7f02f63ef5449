using System.Buffers.Binary;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// struct fuse_init_in: 16 bytes up to 7.35, 64 since 7.36 (flags2 and reserved space):
/// <code>
///  0 u32 major   4 u32 minor   8 u32 max_readahead   12 u32 flags   16 u32 flags2 (7.36)   20 u32 unused[11]
/// </code>
/// <see cref="Flags"/> joins flags and flags2 (flags2 counts only when FUSE_INIT_EXT is set).
/// </summary>
internal readonly record struct FuseInitIn(uint Major, uint Minor, uint MaxReadahead, FuseInitFlags Flags)
{
    public const int WireSize = 64;

    /// <summary>The pre-7.36 layout some kernels still send.</summary>
    public const int CompatSize = 16;

    public static FuseInitIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, CompatSize, "fuse_init_in");
        ulong flags = BinaryPrimitives.ReadUInt32LittleEndian(s[12..]);
        if (s.Length >= 20 && (flags & (ulong)FuseInitFlags.InitExt) != 0)
        {
            flags |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(s[16..]) << 32;
        }

        return new FuseInitIn(
            BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[8..]), (FuseInitFlags)flags);
    }

    public void Write(Span<byte> d)
    {
        d[..WireSize].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(d, Major);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Minor);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], MaxReadahead);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], (uint)Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], (uint)((ulong)Flags >> 32));
    }
}

/// <summary>
/// struct fuse_init_out, 64 bytes (max_pages 7.28, map_alignment 7.31, flags2 7.36):
/// <code>
///  0 u32 major   4 u32 minor   8 u32 max_readahead   12 u32 flags
/// 16 u16 max_background   18 u16 congestion_threshold   20 u32 max_write   24 u32 time_gran (ns)
/// 28 u16 max_pages   30 u16 map_alignment   32 u32 flags2   36 u32 unused[7]
/// </code>
/// </summary>
internal readonly record struct FuseInitOut(
    uint Major, uint Minor, uint MaxReadahead, FuseInitFlags Flags, ushort MaxBackground, ushort CongestionThreshold,
    uint MaxWrite, uint TimeGranularity, ushort MaxPages)
{
    public const int WireSize = 64;

    public static FuseInitOut Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_init_out");
        ulong flags = BinaryPrimitives.ReadUInt32LittleEndian(s[12..]) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(s[32..]) << 32);
        return new FuseInitOut(
            BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[8..]), (FuseInitFlags)flags,
            BinaryPrimitives.ReadUInt16LittleEndian(s[16..]), BinaryPrimitives.ReadUInt16LittleEndian(s[18..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[20..]), BinaryPrimitives.ReadUInt32LittleEndian(s[24..]),
            BinaryPrimitives.ReadUInt16LittleEndian(s[28..]));
    }

    public void Write(Span<byte> d)
    {
        d[..WireSize].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(d, Major);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Minor);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], MaxReadahead);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], (uint)Flags);
        BinaryPrimitives.WriteUInt16LittleEndian(d[16..], MaxBackground);
        BinaryPrimitives.WriteUInt16LittleEndian(d[18..], CongestionThreshold);
        BinaryPrimitives.WriteUInt32LittleEndian(d[20..], MaxWrite);
        BinaryPrimitives.WriteUInt32LittleEndian(d[24..], TimeGranularity);
        BinaryPrimitives.WriteUInt16LittleEndian(d[28..], MaxPages);
        BinaryPrimitives.WriteUInt32LittleEndian(d[32..], (uint)((ulong)Flags >> 32));
    }
}
