using System.Buffers.Binary;

namespace Ugloo.Mount.Fuse;

/// <summary>struct fuse_open_in, 8 bytes (7.1; open_flags 7.33): <c>0 u32 flags (O_*), 4 u32 open_flags (FUSE_OPEN_*)</c>. Also OPENDIR's.</summary>
internal readonly record struct FuseOpenIn(uint Flags, uint OpenFlags)
{
    public const int WireSize = 8;

    public static FuseOpenIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_open_in");
        return new FuseOpenIn(BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], OpenFlags);
    }
}

/// <summary>struct fuse_open_out, 16 bytes (7.1): <c>0 u64 fh, 8 u32 open_flags (FOPEN_*), 12 u32 padding</c>.</summary>
internal readonly record struct FuseOpenOut(ulong Fh, uint OpenFlags)
{
    public const int WireSize = 16;

    public static FuseOpenOut Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_open_out");
        return new FuseOpenOut(BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, Fh);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], OpenFlags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], 0);
    }
}

/// <summary>
/// struct fuse_create_in, 16 bytes (7.3; umask 7.12, open_flags 7.33), followed by the NUL-terminated name:
/// <c>0 u32 flags (O_*), 4 u32 mode, 8 u32 umask, 12 u32 open_flags</c>.
/// </summary>
internal readonly record struct FuseCreateIn(uint Flags, uint Mode, uint Umask, uint OpenFlags)
{
    public const int WireSize = 16;

    public static FuseCreateIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_create_in");
        return new FuseCreateIn(
            BinaryPrimitives.ReadUInt32LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[8..]), BinaryPrimitives.ReadUInt32LittleEndian(s[12..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], Mode);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], Umask);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], OpenFlags);
    }
}

/// <summary>
/// struct fuse_read_in and struct fuse_write_in share one 40-byte layout (7.9); READ, READDIR and
/// READDIRPLUS send it, WRITE sends it followed by the data:
/// <code>
///  0 u64 fh   8 u64 offset   16 u32 size   20 u32 read_flags / write_flags   24 u64 lock_owner
/// 32 u32 flags (O_* of the open file)   36 u32 padding
/// </code>
/// </summary>
internal readonly record struct FuseIoIn(ulong Fh, ulong Offset, uint Size, uint IoFlags, ulong LockOwner, uint Flags)
{
    public const int WireSize = 40;

    public static FuseIoIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_read_in/fuse_write_in");
        return new FuseIoIn(
            BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[16..]), BinaryPrimitives.ReadUInt32LittleEndian(s[20..]),
            BinaryPrimitives.ReadUInt64LittleEndian(s[24..]), BinaryPrimitives.ReadUInt32LittleEndian(s[32..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, Fh);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], Size);
        BinaryPrimitives.WriteUInt32LittleEndian(d[20..], IoFlags);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], LockOwner);
        BinaryPrimitives.WriteUInt32LittleEndian(d[32..], Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[36..], 0);
    }
}

/// <summary>struct fuse_write_out, 8 bytes (7.1): <c>0 u32 size written, 4 u32 padding</c>.</summary>
internal readonly record struct FuseWriteOut(uint Size)
{
    public const int WireSize = 8;

    public static FuseWriteOut Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_write_out");
        return new FuseWriteOut(BinaryPrimitives.ReadUInt32LittleEndian(s));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(d, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], 0);
    }
}

/// <summary>
/// struct fuse_release_in, 24 bytes (lock_owner and release_flags 7.8); RELEASE and RELEASEDIR:
/// <c>0 u64 fh, 8 u32 flags, 12 u32 release_flags, 16 u64 lock_owner</c>.
/// </summary>
internal readonly record struct FuseReleaseIn(ulong Fh, uint Flags, uint ReleaseFlags, ulong LockOwner)
{
    public const int WireSize = 24;

    public static FuseReleaseIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_release_in");
        return new FuseReleaseIn(
            BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[12..]), BinaryPrimitives.ReadUInt64LittleEndian(s[16..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, Fh);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], ReleaseFlags);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], LockOwner);
    }
}

/// <summary>struct fuse_flush_in, 24 bytes (7.1): <c>0 u64 fh, 8 u32 unused, 12 u32 padding, 16 u64 lock_owner</c>.</summary>
internal readonly record struct FuseFlushIn(ulong Fh, ulong LockOwner)
{
    public const int WireSize = 24;

    public static FuseFlushIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_flush_in");
        return new FuseFlushIn(BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[16..]));
    }

    public void Write(Span<byte> d)
    {
        d[..WireSize].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(d, Fh);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], LockOwner);
    }
}

/// <summary>struct fuse_fsync_in, 16 bytes (7.1); FSYNC and FSYNCDIR: <c>0 u64 fh, 8 u32 fsync_flags, 12 u32 padding</c>.</summary>
internal readonly record struct FuseFsyncIn(ulong Fh, uint FsyncFlags)
{
    public const int WireSize = 16;

    public static FuseFsyncIn Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, WireSize, "fuse_fsync_in");
        return new FuseFsyncIn(BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt32LittleEndian(s[8..]));
    }

    public void Write(Span<byte> d)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, Fh);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], FsyncFlags);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], 0);
    }
}
