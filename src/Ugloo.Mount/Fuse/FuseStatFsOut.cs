using System.Buffers.Binary;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// struct fuse_statfs_out = struct fuse_kstatfs, 80 bytes (frsize 7.4):
/// <code>
///  0 u64 blocks   8 u64 bfree   16 u64 bavail   24 u64 files   32 u64 ffree
/// 40 u32 bsize   44 u32 namelen   48 u32 frsize   52 u32 padding   56 u32 spare[6]
/// </code>
/// </summary>
internal readonly record struct FuseStatFsOut(
    ulong Blocks, ulong FreeBlocks, ulong AvailableBlocks, ulong Files, ulong FreeFiles, uint BlockSize, uint NameLength, uint FragmentSize)
{
    public const int WireSize = 80;

    public static FuseStatFsOut Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_kstatfs");
        return new FuseStatFsOut(
            BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[16..]), BinaryPrimitives.ReadUInt64LittleEndian(s[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[32..]), BinaryPrimitives.ReadUInt32LittleEndian(s[40..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[44..]), BinaryPrimitives.ReadUInt32LittleEndian(s[48..]));
    }

    public void Write(Span<byte> d)
    {
        d[..WireSize].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(d, Blocks);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], FreeBlocks);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], AvailableBlocks);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], Files);
        BinaryPrimitives.WriteUInt64LittleEndian(d[32..], FreeFiles);
        BinaryPrimitives.WriteUInt32LittleEndian(d[40..], BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(d[44..], NameLength);
        BinaryPrimitives.WriteUInt32LittleEndian(d[48..], FragmentSize);
    }
}
