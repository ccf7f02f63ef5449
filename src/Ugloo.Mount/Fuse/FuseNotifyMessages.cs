using System.Buffers.Binary;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// Notifications: messages the daemon writes to /dev/fuse unasked. Each is a fuse_out_header whose unique is 0
/// and whose error field carries the notify code (enum fuse_notify_code, 7.12), then the code's struct.
/// </summary>
internal static class FuseNotifyCode
{
    /// <summary>FUSE_NOTIFY_INVAL_INODE: drop an inode's attributes (and, for off ≥ 0, cached pages).</summary>
    public const int InvalidateInode = 2;

    /// <summary>FUSE_NOTIFY_INVAL_ENTRY: drop a name from a directory's dentry cache.</summary>
    public const int InvalidateEntry = 3;
}

/// <summary>
/// struct fuse_notify_inval_inode_out, 24 bytes (7.12):
/// <code>
///  0 u64 ino   the node id
///  8 i64 off   first byte of cached content to drop; negative: attributes only, the pages stay
/// 16 i64 len   bytes from off; 0 or less: to the end
/// </code>
/// </summary>
internal readonly record struct FuseNotifyInvalInodeOut(ulong Node, long Offset, long Length)
{
    public const int WireSize = 24;

    /// <summary>Header and body, ready for one write(2).</summary>
    public byte[] ToMessage()
    {
        byte[] message = new byte[FuseOutHeader.WireSize + WireSize];
        new FuseOutHeader((uint)message.Length, FuseNotifyCode.InvalidateInode, 0).Write(message);
        Span<byte> d = message.AsSpan(FuseOutHeader.WireSize);
        BinaryPrimitives.WriteUInt64LittleEndian(d, Node);
        BinaryPrimitives.WriteInt64LittleEndian(d[8..], Offset);
        BinaryPrimitives.WriteInt64LittleEndian(d[16..], Length);
        return message;
    }
}

/// <summary>
/// struct fuse_notify_inval_entry_out, 16 bytes (7.12), then the name and a NUL:
/// <code>
///  0 u64 parent    the directory's node id
///  8 u32 namelen   bytes of the name, without the NUL
/// 12 u32 flags     FUSE_EXPIRE_ONLY (7.38) or 0: 0 drops the dentry outright
/// 16 ...  name, NUL
/// </code>
/// </summary>
internal readonly record struct FuseNotifyInvalEntryOut(ulong Parent, byte[] Name)
{
    public const int WireSize = 16;

    public byte[] ToMessage()
    {
        byte[] message = new byte[FuseOutHeader.WireSize + WireSize + Name.Length + 1];
        new FuseOutHeader((uint)message.Length, FuseNotifyCode.InvalidateEntry, 0).Write(message);
        Span<byte> d = message.AsSpan(FuseOutHeader.WireSize);
        BinaryPrimitives.WriteUInt64LittleEndian(d, Parent);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], (uint)Name.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], 0);
        Name.CopyTo(d[WireSize..]);
        return message;
    }
}
