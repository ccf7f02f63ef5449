using System.Text;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// Packs a filesystem's directory entries into a READDIR (fuse_dirent) or READDIRPLUS (fuse_direntplus)
/// reply of at most the size the kernel asked for.
/// </summary>
internal sealed class FuseDirectoryListing : DirectoryListing
{
    private readonly Memory<byte> _destination;
    private readonly bool _plus;
    private byte[] _nameBuffer = new byte[256];

    public FuseDirectoryListing(Memory<byte> destination, bool plus)
    {
        _destination = destination;
        _plus = plus;
    }

    public override bool WantsAttributes => _plus;

    /// <summary>Bytes written so far.</summary>
    public int Written { get; private set; }

    public override bool TryAdd(string name, ulong node, NodeType type, long nextOffset, EntryInfo? entry)
    {
        ArgumentNullException.ThrowIfNull(name);
        int nameLength = Encoding.UTF8.GetByteCount(name);
        if (nameLength > _nameBuffer.Length)
        {
            _nameBuffer = new byte[nameLength];
        }

        ReadOnlySpan<byte> nameBytes = _nameBuffer.AsSpan(0, Encoding.UTF8.GetBytes(name, _nameBuffer));
        Span<byte> free = _destination.Span[Written..];
        uint direntType = FuseConvert.DirentType(type);
        int written;
        bool fits;
        if (_plus)
        {
            // A zero nodeid tells the kernel "no attributes for this one" (fuse_direntplus_link); used for
            // "." and "..", which it never instantiates from a listing anyway.
            FuseEntryOut entryOut = entry is EntryInfo e ? FuseConvert.EntryOut(e) : default;
            fits = FuseDirent.TryWritePlus(free, entryOut, node, (ulong)nextOffset, direntType, nameBytes, out written);
        }
        else
        {
            fits = FuseDirent.TryWrite(free, node, (ulong)nextOffset, direntType, nameBytes, out written);
        }

        Written += written;
        return fits;
    }
}
