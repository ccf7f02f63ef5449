using System.Buffers.Binary;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// The records of a READDIR / READDIRPLUS reply. struct fuse_dirent (7.0):
/// <code>
///  0 u64 ino   8 u64 off (cookie of the NEXT entry)   16 u32 namelen   20 u32 type (DT_*)   24 name[namelen]
/// </code>
/// padded with zeros to a multiple of 8 (FUSE_DIRENT_ALIGN). struct fuse_direntplus (7.21) is a 128-byte
/// fuse_entry_out followed by the same fuse_dirent, also padded to 8.
/// </summary>
internal static class FuseDirent
{
    public const int HeaderSize = 24;

    public static int Size(int nameLength) => Align8(HeaderSize + nameLength);

    public static int PlusSize(int nameLength) => Align8(FuseEntryOut.WireSize + HeaderSize + nameLength);

    /// <summary>Writes one dirent; false (nothing written) if it does not fit.</summary>
    public static bool TryWrite(Span<byte> d, ulong ino, ulong nextOffset, uint type, ReadOnlySpan<byte> name, out int written)
    {
        written = Size(name.Length);
        if (written > d.Length)
        {
            written = 0;
            return false;
        }

        WriteBody(d, ino, nextOffset, type, name, written);
        return true;
    }

    /// <summary>Writes one direntplus; false (nothing written) if it does not fit.</summary>
    public static bool TryWritePlus(Span<byte> d, in FuseEntryOut entry, ulong ino, ulong nextOffset, uint type, ReadOnlySpan<byte> name, out int written)
    {
        written = PlusSize(name.Length);
        if (written > d.Length)
        {
            written = 0;
            return false;
        }

        entry.Write(d);
        WriteBody(d[FuseEntryOut.WireSize..], ino, nextOffset, type, name, written - FuseEntryOut.WireSize);
        return true;
    }

    /// <summary>Decodes the dirent at the start of <paramref name="s"/> (tests; a filesystem never reads these).</summary>
    public static (ulong Ino, ulong NextOffset, uint Type, string Name, int Size) Read(ReadOnlySpan<byte> s)
    {
        FuseProtocolException.ThrowIfShort(s, HeaderSize, "fuse_dirent");
        int nameLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(s[16..]));
        FuseProtocolException.ThrowIfShort(s, HeaderSize + nameLength, "fuse_dirent name");
        return (
            BinaryPrimitives.ReadUInt64LittleEndian(s),
            BinaryPrimitives.ReadUInt64LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[20..]),
            System.Text.Encoding.UTF8.GetString(s.Slice(HeaderSize, nameLength)),
            Size(nameLength));
    }

    private static void WriteBody(Span<byte> d, ulong ino, ulong nextOffset, uint type, ReadOnlySpan<byte> name, int size)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(d, ino);
        BinaryPrimitives.WriteUInt64LittleEndian(d[8..], nextOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], (uint)name.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(d[20..], type);
        name.CopyTo(d[HeaderSize..]);
        d[(HeaderSize + name.Length)..size].Clear();
    }

    private static int Align8(int value) => (value + 7) & ~7;
}
