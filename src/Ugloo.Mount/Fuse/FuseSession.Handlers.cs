using System.Text;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// One method per opcode: decode the arguments (layouts in the Fuse*In types), call the filesystem, encode
/// the reply body into <c>reply</c>. Each returns the reply body length, or -errno.
/// </summary>
internal sealed partial class FuseSession
{
    private async ValueTask<int> HandleAsync(FuseInHeader h, ReadOnlyMemory<byte> body, Memory<byte> reply, CancellationToken ct)
    {
        var context = new RequestContext(h.Uid, h.Gid, (int)h.Pid, 0);
        ulong node = h.NodeId;
        IFileSystem fs = _fileSystem;
        switch (h.Opcode)
        {
            case FuseOpcode.Lookup:
                {
                    EntryInfo? entry = await fs.LookupAsync(context, node, Name(body.Span, 0, out _), ct).ConfigureAwait(false);
                    return entry is EntryInfo found ? Entry(reply, found) : -FuseErrno.ENOENT;
                }

            case FuseOpcode.GetAttr:
                {
                    FuseGetAttrIn args = FuseGetAttrIn.Read(body.Span);
                    ulong? handle = (args.Flags & FuseConstants.GetAttrFh) != 0 ? args.Fh : null;
                    return AttrReply(reply, await fs.GetAttrAsync(context, node, handle, ct).ConfigureAwait(false));
                }

            case FuseOpcode.SetAttr:
                {
                    FuseSetAttrIn args = FuseSetAttrIn.Read(body.Span);
                    ulong? handle = (args.Valid & FuseConstants.FattrFh) != 0 ? args.Fh : null;
                    return AttrReply(reply, await fs.SetAttrAsync(context, node, handle, Changes(args), ct).ConfigureAwait(false));
                }

            case FuseOpcode.ReadLink:
                {
                    string target = await fs.ReadLinkAsync(context, node, ct).ConfigureAwait(false);
                    int count = Encoding.UTF8.GetByteCount(target);
                    return count > reply.Length ? -FuseErrno.ENAMETOOLONG : Encoding.UTF8.GetBytes(target, reply.Span);
                }

            case FuseOpcode.Symlink:
                {
                    // Body: new name NUL, link target NUL.
                    string name = Name(body.Span, 0, out int next);
                    string target = Name(body.Span, next, out _);
                    return Entry(reply, await fs.SymlinkAsync(context, node, name, target, ct).ConfigureAwait(false));
                }

            case FuseOpcode.Mknod:
                {
                    FuseMknodIn args = FuseMknodIn.Read(body.Span);
                    if (FuseConvert.TypeFromMode(args.Mode) is not NodeType type)
                    {
                        return -FuseErrno.EINVAL;
                    }

                    context = context with { Umask = args.Umask };
                    string name = Name(body.Span, FuseMknodIn.WireSize, out _);
                    return Entry(reply, await fs.MknodAsync(context, node, name, type, args.Mode & 0xFFF, args.Rdev, ct).ConfigureAwait(false));
                }

            case FuseOpcode.Mkdir:
                {
                    FuseMkdirIn args = FuseMkdirIn.Read(body.Span);
                    context = context with { Umask = args.Umask };
                    string name = Name(body.Span, FuseMkdirIn.WireSize, out _);
                    return Entry(reply, await fs.MkdirAsync(context, node, name, args.Mode & 0xFFF, ct).ConfigureAwait(false));
                }

            case FuseOpcode.Unlink:
                await fs.UnlinkAsync(context, node, Name(body.Span, 0, out _), ct).ConfigureAwait(false);
                return 0;

            case FuseOpcode.Rmdir:
                await fs.RmdirAsync(context, node, Name(body.Span, 0, out _), ct).ConfigureAwait(false);
                return 0;

            case FuseOpcode.Rename:
            case FuseOpcode.Rename2:
                {
                    bool two = h.Opcode == FuseOpcode.Rename2;
                    FuseRename2In args = two ? FuseRename2In.Read(body.Span) : FuseRename2In.ReadRename(body.Span);
                    if ((args.Flags & ~(FuseConstants.RenameNoReplace | FuseConstants.RenameExchange)) != 0)
                    {
                        return -FuseErrno.EINVAL; // RENAME_WHITEOUT is for overlayfs, which we do not serve
                    }

                    string name = Name(body.Span, two ? FuseRename2In.WireSize : FuseRename2In.RenameInSize, out int next);
                    string newName = Name(body.Span, next, out _);
                    var flags = (RenameFlags)args.Flags; // RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, as in RenameFlags
                    await fs.RenameAsync(context, node, name, args.NewDir, newName, flags, ct).ConfigureAwait(false);
                    return 0;
                }

            case FuseOpcode.Link:
                {
                    // Header nodeid is the new parent; the body names the existing node.
                    ulong existing = FuseU64In.Read(body.Span).Value;
                    string newName = Name(body.Span, FuseU64In.WireSize, out _);
                    return Entry(reply, await fs.LinkAsync(context, existing, node, newName, ct).ConfigureAwait(false));
                }

            case FuseOpcode.Open:
                {
                    FuseOpenIn args = FuseOpenIn.Read(body.Span);
                    OpenResult open = await fs.OpenAsync(context, node, FuseConvert.OpenFlags(args.Flags), ct).ConfigureAwait(false);
                    FuseConvert.OpenOut(WithCaching(open, args.Flags)).Write(reply.Span);
                    return FuseOpenOut.WireSize;
                }

            case FuseOpcode.Create:
                {
                    FuseCreateIn args = FuseCreateIn.Read(body.Span);
                    context = context with { Umask = args.Umask };
                    string name = Name(body.Span, FuseCreateIn.WireSize, out _);
                    CreateResult created = await fs.CreateAsync(context, node, name, args.Mode & 0xFFF, FuseConvert.OpenFlags(args.Flags), ct).ConfigureAwait(false);
                    FuseConvert.EntryOut(created.Entry).Write(reply.Span);
                    FuseConvert.OpenOut(WithCaching(created.Open, args.Flags)).Write(reply.Span[FuseEntryOut.WireSize..]);
                    return FuseEntryOut.WireSize + FuseOpenOut.WireSize;
                }

            case FuseOpcode.Read:
                {
                    FuseIoIn args = FuseIoIn.Read(body.Span);
                    int size = (int)Math.Min(args.Size, (uint)reply.Length);
                    return await fs.ReadAsync(context, node, args.Fh, (long)args.Offset, reply[..size], ct).ConfigureAwait(false);
                }

            case FuseOpcode.Write:
                {
                    FuseIoIn args = FuseIoIn.Read(body.Span);
                    if (args.Size > body.Length - FuseIoIn.WireSize)
                    {
                        throw new FuseProtocolException($"WRITE of {args.Size} bytes carries {body.Length - FuseIoIn.WireSize}");
                    }

                    ReadOnlyMemory<byte> data = body.Slice(FuseIoIn.WireSize, (int)args.Size);
                    if ((args.IoFlags & FuseConstants.WriteKillSuidGid) != 0)
                    {
                        context = context with { DropSetId = true };
                    }

                    int written = await fs.WriteAsync(context, node, args.Fh, (long)args.Offset, data, ct).ConfigureAwait(false);
                    new FuseWriteOut((uint)written).Write(reply.Span);
                    return FuseWriteOut.WireSize;
                }

            case FuseOpcode.StatFs:
                {
                    FileSystemStats s = await fs.StatFsAsync(context, node, ct).ConfigureAwait(false);
                    new FuseStatFsOut(s.TotalBlocks, s.FreeBlocks, s.AvailableBlocks, s.TotalNodes, s.FreeNodes, s.BlockSize, s.MaxNameLength, s.BlockSize)
                        .Write(reply.Span);
                    return FuseStatFsOut.WireSize;
                }

            case FuseOpcode.Release:
                // Not cancellable: the handle must be released whatever happens to the caller.
                await fs.ReleaseAsync(node, FuseReleaseIn.Read(body.Span).Fh, CancellationToken.None).ConfigureAwait(false);
                return 0;

            case FuseOpcode.ReleaseDir:
                await fs.ReleaseDirAsync(node, FuseReleaseIn.Read(body.Span).Fh, CancellationToken.None).ConfigureAwait(false);
                return 0;

            case FuseOpcode.Flush:
                await fs.FlushAsync(context, node, FuseFlushIn.Read(body.Span).Fh, ct).ConfigureAwait(false);
                return 0;

            case FuseOpcode.Fsync:
            case FuseOpcode.FsyncDir:
                {
                    FuseFsyncIn args = FuseFsyncIn.Read(body.Span);
                    bool dataOnly = (args.FsyncFlags & FuseConstants.FsyncFdataSync) != 0;
                    await fs.FsyncAsync(context, node, args.Fh, dataOnly, ct).ConfigureAwait(false);
                    return 0;
                }

            case FuseOpcode.OpenDir:
                {
                    OpenResult open = await fs.OpenDirAsync(context, node, ct).ConfigureAwait(false);
                    FuseConvert.OpenOut(open).Write(reply.Span);
                    return FuseOpenOut.WireSize;
                }

            case FuseOpcode.ReadDir:
            case FuseOpcode.ReadDirPlus:
                {
                    FuseIoIn args = FuseIoIn.Read(body.Span);
                    int size = (int)Math.Min(args.Size, (uint)reply.Length);
                    var listing = new FuseDirectoryListing(reply[..size], h.Opcode == FuseOpcode.ReadDirPlus);
                    await fs.ReadDirAsync(context, node, args.Fh, (long)args.Offset, listing, ct).ConfigureAwait(false);
                    return listing.Written;
                }

            case FuseOpcode.SetXattr:
                {
                    // Body: fuse_setxattr_in (compat 8 bytes), name NUL, value.
                    FuseSetXattrIn args = FuseSetXattrIn.Read(body.Span);
                    string name = Name(body.Span, FuseSetXattrIn.WireSize, out int next);
                    if (args.Size > body.Length - next)
                    {
                        throw new FuseProtocolException("SETXATTR value is truncated");
                    }

                    XattrSetMode mode = (args.Flags & FuseConstants.XattrCreate) != 0 ? XattrSetMode.Create
                        : (args.Flags & FuseConstants.XattrReplace) != 0 ? XattrSetMode.Replace
                        : XattrSetMode.Any;
                    await fs.SetXattrAsync(context, node, name, body.Slice(next, (int)args.Size), mode, ct).ConfigureAwait(false);
                    return 0;
                }

            case FuseOpcode.GetXattr:
                {
                    FuseXattrSize args = FuseXattrSize.Read(body.Span);
                    string name = Name(body.Span, FuseXattrSize.WireSize, out _);
                    byte[]? value = await fs.FindXattrAsync(context, node, name, ct).ConfigureAwait(false);
                    return value is null ? -FuseErrno.ENODATA : SizedReply(reply, args.Size, value);
                }

            case FuseOpcode.ListXattr:
                {
                    // The list is the names, each NUL-terminated, back to back (listxattr(2)).
                    FuseXattrSize args = FuseXattrSize.Read(body.Span);
                    IReadOnlyList<string> names = await fs.ListXattrAsync(context, node, ct).ConfigureAwait(false);
                    var list = new List<byte>();
                    foreach (string name in names)
                    {
                        list.AddRange(Encoding.UTF8.GetBytes(name));
                        list.Add(0);
                    }

                    return SizedReply(reply, args.Size, [.. list]);
                }

            case FuseOpcode.RemoveXattr:
                await fs.RemoveXattrAsync(context, node, Name(body.Span, 0, out _), ct).ConfigureAwait(false);
                return 0;

            default:
                // ACCESS (sent only without default_permissions; ENOSYS makes the kernel allow from then on),
                // locks (we do not offer POSIX_LOCKS, so the kernel keeps them locally), BMAP, IOCTL, POLL,
                // FALLOCATE, LSEEK, COPY_FILE_RANGE, SYNCFS, TMPFILE, DAX mappings and anything newer: ENOSYS
                // tells the kernel "not implemented" and it stops asking or falls back; never EIO.
                return -FuseErrno.ENOSYS;
        }
    }

    /// <summary>The NUL-terminated UTF-8 string at <paramref name="offset"/>; <paramref name="next"/> is just past its NUL.</summary>
    private static string Name(ReadOnlySpan<byte> body, int offset, out int next)
    {
        ReadOnlySpan<byte> rest = body[offset..];
        int end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            throw new FuseProtocolException("name is not NUL-terminated");
        }

        next = offset + end + 1;
        return Encoding.UTF8.GetString(rest[..end]);
    }

    /// <summary>
    /// Turns the filesystem's <see cref="OpenResult.WriteMostly"/> into FOPEN_DIRECT_IO where that is safe. Written
    /// through the page cache, every byte is copied into a page the kernel keeps, and every write asks for the
    /// file's security.capability xattr until the kernel marks the inode as having none (to clear privileges,
    /// which a direct write leaves to us: <see cref="FuseConstants.WriteKillSuidGid"/>). Bypassing the cache saves
    /// both; a sequential write through the mount measured 20-30% faster (docs/BENCHMARKS.md "Session 11").
    /// </summary>
    private OpenResult WithCaching(OpenResult open, uint openFlags) =>
        WithCaching(open, openFlags, Volatile.Read(ref _directIoAllowMmap), Volatile.Read(ref _kernelMinor));

    /// <summary>
    /// The rule of <see cref="WithCaching(OpenResult, uint)"/>, given what INIT told: whether the kernel took
    /// FUSE_DIRECT_IO_ALLOW_MMAP and the minor it speaks. Kernels before 6.6 (which is also when ALLOW_MMAP came)
    /// do not drop the cached pages a direct write changes, so other handles would read stale bytes: no direct
    /// I/O there at all. A handle that can read could be mapped shared, which the kernel allows on a direct-I/O
    /// file only with ALLOW_MMAP and, before 7.40 (Linux 6.9), writes back badly (msync fails): such a handle
    /// bypasses the cache only from 7.40 on. A write-only handle cannot be mapped.
    /// </summary>
    internal static OpenResult WithCaching(OpenResult open, uint openFlags, bool allowMmap, uint kernelMinor)
    {
        bool writeOnly = (openFlags & FuseConstants.OAccessMode) == FuseConstants.OWriteOnly;
        return open.WriteMostly && !open.DirectIo && allowMmap && (writeOnly || kernelMinor >= 40)
            ? open with { DirectIo = true }
            : open;
    }

    private static int Entry(Memory<byte> reply, in EntryInfo entry)
    {
        FuseConvert.EntryOut(entry).Write(reply.Span);
        return FuseEntryOut.WireSize;
    }

    private static int AttrReply(Memory<byte> reply, in NodeAttributes attributes)
    {
        FuseConvert.AttrOut(attributes).Write(reply.Span);
        return FuseAttrOut.WireSize;
    }

    /// <summary>GETXATTR/LISTXATTR: size 0 asks for the length only; a too-small buffer is ERANGE.</summary>
    private static int SizedReply(Memory<byte> reply, uint requested, byte[] value)
    {
        if (requested == 0)
        {
            new FuseXattrSize((uint)value.Length).Write(reply.Span);
            return FuseXattrSize.WireSize;
        }

        if (value.Length > requested || value.Length > reply.Length)
        {
            return -FuseErrno.ERANGE;
        }

        value.CopyTo(reply.Span);
        return value.Length;
    }

    /// <summary>fuse_setattr_in → the neutral change set; *_NOW resolve to the current time here.</summary>
    private static SetAttrChanges Changes(in FuseSetAttrIn a)
    {
        FileTime now = FileTime.Now;
        uint v = a.Valid;
        return new SetAttrChanges
        {
            Permissions = (v & FuseConstants.FattrMode) != 0 ? a.Mode & 0xFFF : null,
            Uid = (v & FuseConstants.FattrUid) != 0 ? a.Uid : null,
            Gid = (v & FuseConstants.FattrGid) != 0 ? a.Gid : null,
            Size = (v & FuseConstants.FattrSize) != 0 ? (long)a.Size : null,
            AccessTime = (v & FuseConstants.FattrAtimeNow) != 0 ? now
                : (v & FuseConstants.FattrAtime) != 0 ? new FileTime((long)a.Atime, a.AtimeNsec) : null,
            ModifyTime = (v & FuseConstants.FattrMtimeNow) != 0 ? now
                : (v & FuseConstants.FattrMtime) != 0 ? new FileTime((long)a.Mtime, a.MtimeNsec) : null,
            ChangeTime = (v & FuseConstants.FattrCtime) != 0 ? new FileTime((long)a.Ctime, a.CtimeNsec) : null,
        };
    }
}
