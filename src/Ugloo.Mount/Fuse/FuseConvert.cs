using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.Fuse;

/// <summary>Translation between the platform-neutral filesystem types and their fuse.h encodings.</summary>
internal static class FuseConvert
{
    public static uint TypeBits(NodeType type) => type switch
    {
        NodeType.File => FuseConstants.SIfReg,
        NodeType.Directory => FuseConstants.SIfDir,
        NodeType.Symlink => FuseConstants.SIfLnk,
        NodeType.Fifo => FuseConstants.SIfIfo,
        NodeType.CharDevice => FuseConstants.SIfChr,
        NodeType.BlockDevice => FuseConstants.SIfBlk,
        NodeType.Socket => FuseConstants.SIfSock,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static NodeType? TypeFromMode(uint mode) => (mode & FuseConstants.SIfmt) switch
    {
        FuseConstants.SIfReg or 0 => NodeType.File,
        FuseConstants.SIfDir => NodeType.Directory,
        FuseConstants.SIfLnk => NodeType.Symlink,
        FuseConstants.SIfIfo => NodeType.Fifo,
        FuseConstants.SIfChr => NodeType.CharDevice,
        FuseConstants.SIfBlk => NodeType.BlockDevice,
        FuseConstants.SIfSock => NodeType.Socket,
        _ => null,
    };

    /// <summary>DT_* of a dirent: the S_IFMT bits shifted down 12 (DT_REG 8, DT_DIR 4, DT_LNK 10, ...).</summary>
    public static uint DirentType(NodeType type) => TypeBits(type) >> 12;

    /// <summary>Splits a TTL into fuse.h's (seconds, nanoseconds) pair; negative means 0 (do not cache).</summary>
    public static (ulong Seconds, uint Nanoseconds) Ttl(TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero)
        {
            return (0, 0);
        }

        long seconds = Math.DivRem(ttl.Ticks, TimeSpan.TicksPerSecond, out long remainder);
        return ((ulong)seconds, (uint)(remainder * 100));
    }

    public static FuseAttr Attr(in NodeAttributes a) => new(
        a.Node, (ulong)a.Size, (ulong)a.Blocks,
        (ulong)a.AccessTime.Seconds, (ulong)a.ModifyTime.Seconds, (ulong)a.ChangeTime.Seconds,
        a.AccessTime.Nanoseconds, a.ModifyTime.Nanoseconds, a.ChangeTime.Nanoseconds,
        TypeBits(a.Type) | (a.Permissions & 0xFFF), a.LinkCount, a.Uid, a.Gid, a.DeviceNumber,
        BlockSize: 4096, Flags: 0);

    public static FuseAttrOut AttrOut(in NodeAttributes a)
    {
        (ulong seconds, uint nanoseconds) = Ttl(a.Ttl);
        return new FuseAttrOut(seconds, nanoseconds, Attr(a));
    }

    public static FuseEntryOut EntryOut(in EntryInfo e)
    {
        (ulong entrySeconds, uint entryNanoseconds) = Ttl(e.EntryTtl);
        (ulong attrSeconds, uint attrNanoseconds) = Ttl(e.Attributes.Ttl);
        return new FuseEntryOut(e.Node, e.Generation, entrySeconds, attrSeconds, entryNanoseconds, attrNanoseconds, Attr(e.Attributes));
    }

    public static FuseOpenOut OpenOut(in OpenResult open) => new(
        open.Handle,
        (open.DirectIo ? FuseConstants.FopenDirectIo : 0) | (open.KeepCache ? FuseConstants.FopenKeepCache : 0));

    /// <summary>O_* flags of open(2) as the kernel passes them (with FUSE_ATOMIC_O_TRUNC, O_TRUNC included).</summary>
    public static OpenFlags OpenFlags(uint flags)
    {
        OpenFlags result = (flags & FuseConstants.OAccessMode) switch
        {
            FuseConstants.OWriteOnly => FileSystem.OpenFlags.Write,
            FuseConstants.OReadWrite => FileSystem.OpenFlags.ReadWrite,
            _ => FileSystem.OpenFlags.Read,
        };
        if ((flags & FuseConstants.OTruncate) != 0)
        {
            result |= FileSystem.OpenFlags.Truncate;
        }

        if ((flags & FuseConstants.OAppend) != 0)
        {
            result |= FileSystem.OpenFlags.Append;
        }

        if ((flags & FuseConstants.OExclusive) != 0)
        {
            result |= FileSystem.OpenFlags.Exclusive;
        }

        return result;
    }
}
