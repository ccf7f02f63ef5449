using System.Buffers.Binary;

namespace Ugloo.Mount.Fuse;

/// <summary>struct fuse_mkdir_in, 8 bytes (umask 7.12), then the name: <c>0 u32 mode, 4 u32 umask</c>.</summary>
internal readonly record struct FuseMkdirIn(uint Mode, uint Umask)
{
    public const int WireSize = 8;

    public static FuseMkdirIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_mkdir_in");
        return new FuseMkdirIn(BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, Mode);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Umask);
    }
}

/// <summary>struct fuse_mknod_in, 16 bytes (umask 7.12), then the name: <c>0 u32 mode, 4 u32 rdev, 8 u32 umask, 12 u32 padding</c>.</summary>
internal readonly record struct FuseMknodIn(uint Mode, uint Rdev, uint Umask)
{
    public const int WireSize = 16;

    public static FuseMknodIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_mknod_in");
        return new FuseMknodIn(
            BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[8..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, Mode);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Rdev);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], Umask);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], 0);
    }
}

/// <summary>
/// struct fuse_rename2_in, 16 bytes (7.23), then old and new names: <c>0 u64 newdir, 8 u32 flags (RENAME_*), 12 u32 padding</c>.
/// RENAME (7.1) sends struct fuse_rename_in, just the 8-byte newdir: read it with <see cref="ReadRename"/>.
/// </summary>
internal readonly record struct FuseRename2In(ulong NewDir, uint Flags)
{
    public const int WireSize = 16;

    /// <summary>sizeof(struct fuse_rename_in).</summary>
    public const int RenameInSize = 8;

    public static FuseRename2In Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_rename2_in");
        return new FuseRename2In(BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]));
    }

    public static FuseRename2In ReadRename(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, RenameInSize, "fuse_rename_in");
        return new FuseRename2In(BinaryPrimitives.ReadUInt64LittleEndian(s), 0);
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, NewDir);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], 0);
    }
}

/// <summary>
/// The 8-byte single-u64 request bodies: fuse_link_in (oldnodeid, 7.1), fuse_forget_in (nlookup, 7.0),
/// fuse_interrupt_in (unique, 7.7).
/// </summary>
internal readonly record struct FuseU64In(ulong Value)
{
    public const int WireSize = 8;

    public static FuseU64In Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_link_in/fuse_forget_in/fuse_interrupt_in");
        return new FuseU64In(BinaryPrimitives.ReadUInt64LittleEndian(s));
    }

    public void Write(Span<byte> d) => BinaryPrimitives.WriteUInt64LittleEndian(d, Value);
}

/// <summary>
/// BATCH_FORGET (7.16): struct fuse_batch_forget_in (8 bytes: <c>0 u32 count, 4 u32 dummy</c>) followed by
/// count × struct fuse_forget_one (16 bytes: <c>0 u64 nodeid, 8 u64 nlookup</c>).
/// </summary>
internal static class FuseBatchForget
{
    public const int HeaderSize = 8;
    public const int ItemSize = 16;

    public static int ReadCount(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, HeaderSize, "fuse_batch_forget_in");
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(s);
        if (count > (s.Length - HeaderSize) / ItemSize)
        {
            throw new FuseProtocolException($"BATCH_FORGET claims {count} items in {s.Length} bytes");
        }

        return (int)count;
    }

    public static (ulong NodeId, ulong Count) ReadItem(ReadOnlySpan<byte> s, int index)
    {
        ReadOnlySpan<byte> item = s.Slice(HeaderSize + (index * ItemSize), ItemSize);
        return (BinaryPrimitives.ReadUInt64LittleEndian(item), BinaryPrimitives.ReadUInt64LittleEndian(item[8..]));
    }

    public static int Write(Span<byte> d, ReadOnlySpan<(ulong NodeId, ulong Count)> items)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, (uint)items.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], 0);
        for (int i = 0; i < items.Length; i++)
        {
            Span<byte> item = d.Slice(HeaderSize + (i * ItemSize), ItemSize);
            BinaryPrimitives.WriteUInt64LittleEndian(item, items[i].NodeId);
            BinaryPrimitives.WriteUInt64LittleEndian(item[8..], items[i].Count);
        }

        return HeaderSize + (items.Length * ItemSize);
    }
}
