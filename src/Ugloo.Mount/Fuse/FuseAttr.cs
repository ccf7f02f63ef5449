using System.Buffers.Binary;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// struct fuse_attr, 88 bytes (blksize since 7.9, flags since 7.32):
/// <code>
///  0 u64 ino        8 u64 size        16 u64 blocks (512-byte units)
/// 24 u64 atime     32 u64 mtime       40 u64 ctime   (seconds)
/// 48 u32 atimensec 52 u32 mtimensec   56 u32 ctimensec
/// 60 u32 mode      64 u32 nlink       68 u32 uid     72 u32 gid
/// 76 u32 rdev      80 u32 blksize     84 u32 flags (FUSE_ATTR_*)
/// </code>
/// </summary>
internal readonly record struct FuseAttr(
    ulong Ino, ulong Size, ulong Blocks,
    ulong Atime, ulong Mtime, ulong Ctime,
    uint AtimeNsec, uint MtimeNsec, uint CtimeNsec,
    uint Mode, uint Nlink, uint Uid, uint Gid, uint Rdev, uint BlockSize, uint Flags)
{
    public const int WireSize = 88;

    public static FuseAttr Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_attr");
        return new FuseAttr(
            BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[16..]), BinaryPrimitives.ReadUInt64LittleEndian(s[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[32..]), BinaryPrimitives.ReadUInt64LittleEndian(s[40..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[48..]), BinaryPrimitives.ReadUInt32LittleEndian(s[52..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[56..]), BinaryPrimitives.ReadUInt32LittleEndian(s[60..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[64..]), BinaryPrimitives.ReadUInt32LittleEndian(s[68..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[72..]), BinaryPrimitives.ReadUInt32LittleEndian(s[76..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[80..]), BinaryPrimitives.ReadUInt32LittleEndian(s[84..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, Ino);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], Size);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], Blocks);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], Atime);
        BinaryPrimitives.WriteUInt64LittleEndian(d[32..], Mtime);
        BinaryPrimitives.WriteUInt64LittleEndian(d[40..], Ctime);
        BinaryPrimitives.WriteUInt32LittleEndian(d[48..], AtimeNsec);
        BinaryPrimitives.WriteUInt32LittleEndian(d[52..], MtimeNsec);
        BinaryPrimitives.WriteUInt32LittleEndian(d[56..], CtimeNsec);
        BinaryPrimitives.WriteUInt32LittleEndian(d[60..], Mode);
        BinaryPrimitives.WriteUInt32LittleEndian(d[64..], Nlink);
        BinaryPrimitives.WriteUInt32LittleEndian(d[68..], Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(d[72..], Gid);
        BinaryPrimitives.WriteUInt32LittleEndian(d[76..], Rdev);
        BinaryPrimitives.WriteUInt32LittleEndian(d[80..], BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(d[84..], Flags);
    }
}

/// <summary>
/// struct fuse_entry_out, 128 bytes: the reply to LOOKUP, MKNOD, MKDIR, SYMLINK, LINK and the first half of
/// CREATE's (full size since 7.9):
/// <code>
///  0 u64 nodeid   8 u64 generation   16 u64 entry_valid   24 u64 attr_valid   (seconds)
/// 32 u32 entry_valid_nsec   36 u32 attr_valid_nsec   40 fuse_attr (88)
/// </code>
/// </summary>
internal readonly record struct FuseEntryOut(
    ulong NodeId, ulong Generation, ulong EntryValid, ulong AttrValid, uint EntryValidNsec, uint AttrValidNsec, FuseAttr Attr)
{
    public const int WireSize = 128;

    public static FuseEntryOut Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_entry_out");
        return new FuseEntryOut(
            BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[16..]), BinaryPrimitives.ReadUInt64LittleEndian(s[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[32..]), BinaryPrimitives.ReadUInt32LittleEndian(s[36..]),
            FuseAttr.Read(s[40..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, NodeId);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], Generation);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], EntryValid);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], AttrValid);
        BinaryPrimitives.WriteUInt32LittleEndian(d[32..], EntryValidNsec);
        BinaryPrimitives.WriteUInt32LittleEndian(d[36..], AttrValidNsec);
        Attr.Write(d.Slice(40, FuseAttr.WireSize));
    }
}

/// <summary>
/// struct fuse_attr_out, 104 bytes: the reply to GETATTR and SETATTR (7.9):
/// <code>
///  0 u64 attr_valid (seconds)   8 u32 attr_valid_nsec   12 u32 dummy   16 fuse_attr (88)
/// </code>
/// </summary>
internal readonly record struct FuseAttrOut(ulong AttrValid, uint AttrValidNsec, FuseAttr Attr)
{
    public const int WireSize = 104;

    public static FuseAttrOut Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_attr_out");
        return new FuseAttrOut(
            BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]), FuseAttr.Read(s[16..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, AttrValid);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], AttrValidNsec);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], 0);
        Attr.Write(d.Slice(16, FuseAttr.WireSize));
    }
}

/// <summary>
/// struct fuse_getattr_in, 16 bytes (7.9): <c>0 u32 getattr_flags (FUSE_GETATTR_FH), 4 u32 dummy, 8 u64 fh</c>.
/// </summary>
internal readonly record struct FuseGetAttrIn(uint Flags, ulong Fh)
{
    public const int WireSize = 16;

    public static FuseGetAttrIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_getattr_in");
        return new FuseGetAttrIn(BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], Fh);
    }
}

/// <summary>
/// struct fuse_setattr_in, 88 bytes (ctime since 7.23):
/// <code>
///  0 u32 valid (FATTR_*)  4 u32 padding   8 u64 fh   16 u64 size   24 u64 lock_owner
/// 32 u64 atime  40 u64 mtime  48 u64 ctime  56 u32 atimensec  60 u32 mtimensec  64 u32 ctimensec
/// 68 u32 mode   72 u32 unused4   76 u32 uid   80 u32 gid   84 u32 unused5
/// </code>
/// </summary>
internal readonly record struct FuseSetAttrIn(
    uint Valid, ulong Fh, ulong Size, ulong LockOwner, ulong Atime, ulong Mtime, ulong Ctime,
    uint AtimeNsec, uint MtimeNsec, uint CtimeNsec, uint Mode, uint Uid, uint Gid)
{
    public const int WireSize = 88;

    public static FuseSetAttrIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_setattr_in");
        return new FuseSetAttrIn(
            BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[16..]), BinaryPrimitives.ReadUInt64LittleEndian(s[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[32..]), BinaryPrimitives.ReadUInt64LittleEndian(s[40..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[48..]), BinaryPrimitives.ReadUInt32LittleEndian(s[56..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[60..]), BinaryPrimitives.ReadUInt32LittleEndian(s[64..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[68..]), BinaryPrimitives.ReadUInt32LittleEndian(s[76..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[80..]));
    }

    public void Write(Span<byte> d)
    {
        d[..WireSize].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(d, Valid);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], Fh);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], Size);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], LockOwner);
        BinaryPrimitives.WriteUInt64LittleEndian(d[32..], Atime);
        BinaryPrimitives.WriteUInt64LittleEndian(d[40..], Mtime);
        BinaryPrimitives.WriteUInt64LittleEndian(d[48..], Ctime);
        BinaryPrimitives.WriteUInt32LittleEndian(d[56..], AtimeNsec);
        BinaryPrimitives.WriteUInt32LittleEndian(d[60..], MtimeNsec);
        BinaryPrimitives.WriteUInt32LittleEndian(d[64..], CtimeNsec);
        BinaryPrimitives.WriteUInt32LittleEndian(d[68..], Mode);
        BinaryPrimitives.WriteUInt32LittleEndian(d[76..], Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(d[80..], Gid);
    }
}
