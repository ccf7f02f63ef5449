using System.Buffers.Binary;
using System.Text;
using Ugloo.Mount.FileSystem;
using Ugloo.Mount.Fuse;

namespace Ugloo.Mount.Tests.Fuse;

/// <summary>The fuse.h codecs without a kernel: sizes, golden bytes, round trips, truncated input.</summary>
public sealed class FuseCodecTests
{
    /// <summary>sizeof() of each struct as gcc computes it from /usr/include/linux/fuse.h (7.38).</summary>
    public static TheoryData<string, int, int> Sizes => new()
    {
        { "fuse_in_header", FuseInHeader.WireSize, 40 },
        { "fuse_out_header", FuseOutHeader.WireSize, 16 },
        { "fuse_attr", FuseAttr.WireSize, 88 },
        { "fuse_entry_out", FuseEntryOut.WireSize, 128 },
        { "fuse_attr_out", FuseAttrOut.WireSize, 104 },
        { "fuse_getattr_in", FuseGetAttrIn.WireSize, 16 },
        { "fuse_setattr_in", FuseSetAttrIn.WireSize, 88 },
        { "fuse_init_in", FuseInitIn.WireSize, 64 },
        { "fuse_init_out", FuseInitOut.WireSize, 64 },
        { "fuse_open_in", FuseOpenIn.WireSize, 8 },
        { "fuse_open_out", FuseOpenOut.WireSize, 16 },
        { "fuse_create_in", FuseCreateIn.WireSize, 16 },
        { "fuse_read_in/fuse_write_in", FuseIoIn.WireSize, 40 },
        { "fuse_write_out", FuseWriteOut.WireSize, 8 },
        { "fuse_release_in", FuseReleaseIn.WireSize, 24 },
        { "fuse_flush_in", FuseFlushIn.WireSize, 24 },
        { "fuse_fsync_in", FuseFsyncIn.WireSize, 16 },
        { "fuse_mkdir_in", FuseMkdirIn.WireSize, 8 },
        { "fuse_mknod_in", FuseMknodIn.WireSize, 16 },
        { "fuse_rename_in", FuseRename2In.RenameInSize, 8 },
        { "fuse_rename2_in", FuseRename2In.WireSize, 16 },
        { "fuse_link_in/forget_in/interrupt_in", FuseU64In.WireSize, 8 },
        { "fuse_batch_forget_in", FuseBatchForget.HeaderSize, 8 },
        { "fuse_forget_one", FuseBatchForget.ItemSize, 16 },
        { "fuse_kstatfs", FuseStatFsOut.WireSize, 80 },
        { "fuse_setxattr_in (compat)", FuseSetXattrIn.WireSize, 8 },
        { "fuse_getxattr_in/out", FuseXattrSize.WireSize, 8 },
        { "fuse_dirent", FuseDirent.HeaderSize, 24 },
        { "fuse_notify_inval_inode_out", FuseNotifyInvalInodeOut.WireSize, 24 },
        { "fuse_notify_inval_entry_out", FuseNotifyInvalEntryOut.WireSize, 16 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void StructSizesMatchFuseH(string name, int actual, int expected) => Assert.True(actual == expected, $"{name}: {actual} != {expected}");

    [Fact]
    public void InHeaderDecodesGoldenBytes()
    {
        // A LOOKUP of "a" (len 42) from uid 1000, gid 100, pid 4242, unique 0x0102030405060708, nodeid 1.
        byte[] golden = Convert.FromHexString(
            "2A000000" + "01000000" + "0807060504030201" + "0100000000000000" + "E8030000" + "64000000" + "92100000" + "0000" + "0000");
        FuseInHeader header = FuseInHeader.Read(golden);
        Assert.Equal(new FuseInHeader(42, FuseOpcode.Lookup, 0x0102030405060708, 1, 1000, 100, 4242, 0), header);
        byte[] encoded = new byte[FuseInHeader.WireSize];
        header.Write(encoded);
        Assert.Equal(golden, encoded);
    }

    [Fact]
    public void OutHeaderEncodesNegatedErrno()
    {
        byte[] encoded = new byte[FuseOutHeader.WireSize];
        new FuseOutHeader(16, -FuseErrno.ENOENT, 7).Write(encoded);
        Assert.Equal(Convert.FromHexString("10000000" + "FEFFFFFF" + "0700000000000000"), encoded);
    }

    [Fact]
    public void NotificationsCarryTheirCodeInTheErrorFieldAndUniqueZero()
    {
        // INVAL_INODE (2) of node 9, attributes only (off -1, len 0): 16 + 24 bytes.
        Assert.Equal(
            Convert.FromHexString("28000000" + "02000000" + "0000000000000000" + "0900000000000000" + "FFFFFFFFFFFFFFFF" + "0000000000000000"),
            new FuseNotifyInvalInodeOut(9, -1, 0).ToMessage());

        // INVAL_ENTRY (3) of "ab" in directory 1: 16 + 16 + 2 + NUL = 35 bytes.
        Assert.Equal(
            Convert.FromHexString("23000000" + "03000000" + "0000000000000000" + "0100000000000000" + "02000000" + "00000000" + "616200"),
            new FuseNotifyInvalEntryOut(1, "ab"u8.ToArray()).ToMessage());
    }

    [Fact]
    public void EntryOutPlacesEveryFieldAtItsFuseHOffset()
    {
        var attr = new FuseAttr(Ino: 5, Size: 6, Blocks: 7, Atime: 8, Mtime: 9, Ctime: 10, AtimeNsec: 11, MtimeNsec: 12, CtimeNsec: 13,
            Mode: 0x81A4, Nlink: 2, Uid: 1000, Gid: 100, Rdev: 0, BlockSize: 4096, Flags: 0);
        var entry = new FuseEntryOut(NodeId: 5, Generation: 1, EntryValid: 2, AttrValid: 3, EntryValidNsec: 4, AttrValidNsec: 5, attr);
        byte[] d = new byte[FuseEntryOut.WireSize];
        entry.Write(d);
        Assert.Equal(5UL, BinaryPrimitives.ReadUInt64LittleEndian(d));
        Assert.Equal(4U, BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(32)));
        Assert.Equal(6UL, BinaryPrimitives.ReadUInt64LittleEndian(d.AsSpan(40 + 8)));     // attr.size
        Assert.Equal(13U, BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(40 + 56)));    // attr.ctimensec
        Assert.Equal(0x81A4U, BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(40 + 60))); // attr.mode
        Assert.Equal(4096U, BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(40 + 80)));  // attr.blksize
        Assert.Equal(entry, FuseEntryOut.Read(d));
    }

    [Fact]
    public void InitOutGoldenBytes()
    {
        var init = new FuseInitOut(7, 38, 131072, FuseInitFlags.AsyncRead | FuseInitFlags.MaxPages, 64, 48, 1 << 20, 1, 256);
        byte[] d = new byte[FuseInitOut.WireSize];
        init.Write(d);
        string expected = "07000000" + "26000000" + "00000200" + "01004000" + "4000" + "3000" + "00001000" + "01000000" + "0001" + "0000"
            + "00000000" + new string('0', 56);
        Assert.Equal(expected, Convert.ToHexString(d));
        Assert.Equal(init, FuseInitOut.Read(d));
    }

    [Fact]
    public void InitInReadsFlags2OnlyWithInitExt()
    {
        byte[] d = new byte[FuseInitIn.WireSize];
        new FuseInitIn(7, 44, 65536, FuseInitFlags.InitExt | FuseInitFlags.AsyncRead | FuseInitFlags.HasExpireOnly).Write(d);
        Assert.Equal(FuseInitFlags.InitExt | FuseInitFlags.AsyncRead | FuseInitFlags.HasExpireOnly, FuseInitIn.Read(d).Flags);

        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(12), (uint)FuseInitFlags.AsyncRead);
        Assert.Equal(FuseInitFlags.AsyncRead, FuseInitIn.Read(d).Flags);

        // Pre-7.36 kernels send only 16 bytes.
        Assert.Equal(44U, FuseInitIn.Read(d.AsSpan(0, FuseInitIn.CompatSize)).Minor);
    }

    [Fact]
    public void EveryMessageRoundTrips()
    {
        RoundTrip(new FuseGetAttrIn(1, 0xAABBCCDD), FuseGetAttrIn.WireSize, (s, d) => s.Write(d), FuseGetAttrIn.Read);
        RoundTrip(new FuseSetAttrIn(0x7FF, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0x81ED, 11, 12), FuseSetAttrIn.WireSize, (s, d) => s.Write(d), FuseSetAttrIn.Read);
        RoundTrip(new FuseAttrOut(1, 2, new FuseAttr(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)), FuseAttrOut.WireSize, (s, d) => s.Write(d), FuseAttrOut.Read);
        RoundTrip(new FuseOpenIn(0x8002, 1), FuseOpenIn.WireSize, (s, d) => s.Write(d), FuseOpenIn.Read);
        RoundTrip(new FuseOpenOut(99, FuseConstants.FopenKeepCache), FuseOpenOut.WireSize, (s, d) => s.Write(d), FuseOpenOut.Read);
        RoundTrip(new FuseCreateIn(0x241, 0x1A4, 0x12, 0), FuseCreateIn.WireSize, (s, d) => s.Write(d), FuseCreateIn.Read);
        RoundTrip(new FuseIoIn(1, 1UL << 40, 1 << 20, 2, 3, 0x8002), FuseIoIn.WireSize, (s, d) => s.Write(d), FuseIoIn.Read);
        RoundTrip(new FuseWriteOut(4096), FuseWriteOut.WireSize, (s, d) => s.Write(d), FuseWriteOut.Read);
        RoundTrip(new FuseReleaseIn(1, 2, 3, 4), FuseReleaseIn.WireSize, (s, d) => s.Write(d), FuseReleaseIn.Read);
        RoundTrip(new FuseFlushIn(1, 4), FuseFlushIn.WireSize, (s, d) => s.Write(d), FuseFlushIn.Read);
        RoundTrip(new FuseFsyncIn(1, 1), FuseFsyncIn.WireSize, (s, d) => s.Write(d), FuseFsyncIn.Read);
        RoundTrip(new FuseMkdirIn(0x1ED, 0x12), FuseMkdirIn.WireSize, (s, d) => s.Write(d), FuseMkdirIn.Read);
        RoundTrip(new FuseMknodIn(0x11A4, 0, 0x12), FuseMknodIn.WireSize, (s, d) => s.Write(d), FuseMknodIn.Read);
        RoundTrip(new FuseRename2In(77, 2), FuseRename2In.WireSize, (s, d) => s.Write(d), FuseRename2In.Read);
        RoundTrip(new FuseU64In(123), FuseU64In.WireSize, (s, d) => s.Write(d), FuseU64In.Read);
        RoundTrip(new FuseStatFsOut(1, 2, 3, 4, 5, 4096, 255, 4096), FuseStatFsOut.WireSize, (s, d) => s.Write(d), FuseStatFsOut.Read);
        RoundTrip(new FuseSetXattrIn(12, 1), FuseSetXattrIn.WireSize, (s, d) => s.Write(d), FuseSetXattrIn.Read);
        RoundTrip(new FuseXattrSize(65536), FuseXattrSize.WireSize, (s, d) => s.Write(d), FuseXattrSize.Read);
    }

    [Theory]
    [InlineData("security.selinux", true)]
    [InlineData("system.posix_acl_access", true)]
    [InlineData("trusted.x", true)]
    [InlineData("userx.a", true)]
    [InlineData("user.color", false)]
    [InlineData("user.ugloo.pending", false)]
    [InlineData("user.", false)] // the filesystem judges an empty user name
    public void GetXattrNamespaceIsReadFromTheRequestBytes(string name, bool outside)
    {
        byte[] body = new byte[FuseXattrSize.WireSize + Encoding.UTF8.GetByteCount(name) + 1];
        new FuseXattrSize(256).Write(body);
        Encoding.UTF8.GetBytes(name, body.AsSpan(FuseXattrSize.WireSize));
        Assert.Equal(outside, FuseXattrName.IsOutsideUserNamespace(body));

        // Too short to name anything: left to the decoder, which answers it as malformed.
        Assert.False(FuseXattrName.IsOutsideUserNamespace(body.AsSpan(0, FuseXattrSize.WireSize)));
    }

    [Fact]
    public void BatchForgetRoundTripsAndRejectsOverlongCounts()
    {
        byte[] d = new byte[64];
        int length = FuseBatchForget.Write(d, [(5, 1), (9, 300)]);
        Assert.Equal(40, length);
        Assert.Equal(2, FuseBatchForget.ReadCount(d.AsSpan(0, length)));
        Assert.Equal((9UL, 300UL), FuseBatchForget.ReadItem(d.AsSpan(0, length), 1));
        Assert.Throws<FuseProtocolException>(() => FuseBatchForget.ReadCount(d.AsSpan(0, length - 1)));
    }

    [Fact]
    public void DirentsArePaddedToEightBytesAndRefuseToOverflow()
    {
        byte[] d = new byte[64];
        d.AsSpan().Fill(0xFF);
        Assert.True(FuseDirent.TryWrite(d, 12, 3, FuseConvert.DirentType(NodeType.Symlink), "abc"u8, out int written));
        Assert.Equal(32, written); // 24 + 3, aligned to 8
        Assert.Equal(new byte[5], d[27..32]);
        Assert.Equal((12UL, 3UL, 10U, "abc", 32), FuseDirent.Read(d));

        Assert.False(FuseDirent.TryWrite(d.AsSpan(0, 31), 12, 3, 8, "abc"u8, out written));
        Assert.Equal(0, written);
        Assert.Equal(128 + 24 + 8, FuseDirent.PlusSize(5));
    }

    [Fact]
    public void TruncatedMessagesAreRejected()
    {
        byte[] shortBuffer = new byte[200];
        Assert.Throws<FuseProtocolException>(() => FuseInHeader.Read(shortBuffer.AsSpan(0, FuseInHeader.WireSize - 1)));
        Assert.Throws<FuseProtocolException>(() => FuseSetAttrIn.Read(shortBuffer.AsSpan(0, FuseSetAttrIn.WireSize - 1)));
        Assert.Throws<FuseProtocolException>(() => FuseIoIn.Read(shortBuffer.AsSpan(0, FuseIoIn.WireSize - 1)));
        Assert.Throws<FuseProtocolException>(() => FuseInitIn.Read(shortBuffer.AsSpan(0, FuseInitIn.CompatSize - 1)));
        Assert.Throws<FuseProtocolException>(() => FuseEntryOut.Read(shortBuffer.AsSpan(0, FuseEntryOut.WireSize - 1)));
        Assert.Throws<FuseProtocolException>(() => FuseDirent.Read(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1 }));
    }

    [Fact]
    public void NegotiationGrantsOnlyWhatTheKernelOffersAndCapsTheMinor()
    {
        var everything = new FuseInitIn(7, 44, 131072, (FuseInitFlags)0xFFFF_FFFF_FFFF_FFFFUL);
        FuseInitOut result = FuseSession_Negotiate(everything);
        Assert.Equal(38U, result.Minor);
        Assert.Equal(1U << 20, result.MaxWrite);
        Assert.Equal((ushort)256, result.MaxPages);
        Assert.Equal(131072U, result.MaxReadahead);
        Assert.True(result.Flags.HasFlag(FuseInitFlags.DoReadDirPlus | FuseInitFlags.ParallelDirOps | FuseInitFlags.AtomicOTrunc | FuseInitFlags.BigWrites | FuseInitFlags.AsyncRead | FuseInitFlags.MaxPages));
        Assert.False(result.Flags.HasFlag(FuseInitFlags.WritebackCache));
        Assert.False(result.Flags.HasFlag(FuseInitFlags.PosixLocks));
        Assert.False(result.Flags.HasFlag(FuseInitFlags.SetXattrExt)); // we decode the 8-byte compat setxattr_in

        // Bits above 31 travel in flags2, which the kernel reads only when FUSE_INIT_EXT is set in flags.
        Assert.True(result.Flags.HasFlag(FuseInitFlags.DirectIoAllowMmap | FuseInitFlags.InitExt));
        byte[] wire = new byte[FuseInitOut.WireSize];
        result.Write(wire);
        Assert.NotEqual(0U, BinaryPrimitives.ReadUInt32LittleEndian(wire.AsSpan(12)) & (uint)FuseInitFlags.InitExt);
        Assert.Equal(1U << 4, BinaryPrimitives.ReadUInt32LittleEndian(wire.AsSpan(32)));

        FuseInitOut older = FuseSession_Negotiate(new FuseInitIn(7, 31, 0, FuseInitFlags.AsyncRead));
        Assert.Equal(31U, older.Minor);
        Assert.Equal(FuseInitFlags.AsyncRead, older.Flags);
    }

    [Theory]
    [InlineData(FuseConstants.OWriteOnly, true, true, 40U, true)]
    [InlineData(FuseConstants.OWriteOnly, true, true, 39U, true)]    // cannot be mapped: 7.39 is enough
    [InlineData(FuseConstants.OWriteOnly, true, false, 44U, false)]  // no ALLOW_MMAP: a kernel before 6.6 keeps stale pages
    [InlineData(FuseConstants.OReadWrite, true, true, 40U, true)]
    [InlineData(FuseConstants.OReadWrite, true, true, 39U, false)]   // shared maps of direct files misbehave before 7.40
    [InlineData(FuseConstants.OReadWrite, true, false, 44U, false)]  // shared maps would be refused
    [InlineData(FuseConstants.OReadWrite, false, true, 44U, false)]  // not write-mostly
    [InlineData(0U, false, true, 44U, false)]
    public void WriteMostlyHandlesBypassThePageCacheOnlyWhereTheKernelKeepsOtherHandlesTrue(uint access, bool writeMostly, bool allowMmap, uint minor, bool direct)
    {
        var open = new OpenResult(7, WriteMostly: writeMostly);
        Assert.Equal(direct, FuseSession.WithCaching(open, access | FuseConstants.OTruncate, allowMmap, minor).DirectIo);

        // A handle the filesystem wants direct stays direct, whatever the kernel.
        Assert.True(FuseSession.WithCaching(open with { DirectIo = true }, access, allowMmap: false, 31).DirectIo);
    }

    [Fact]
    public void ErrorsMapToDistinctErrnos()
    {
        FileSystemError[] all = Enum.GetValues<FileSystemError>();
        int[] errnos = [.. all.Select(FuseErrno.FromError)];
        Assert.Equal(all.Length, errnos.Distinct().Count());
        Assert.Equal(FuseErrno.ENOSYS, FuseErrno.FromError(FileSystemError.NotImplemented));
        Assert.Equal(FuseErrno.EOPNOTSUPP, FuseErrno.FromError(FileSystemError.NotSupported));
        Assert.Equal(FuseErrno.ENAMETOOLONG, FuseErrno.FromError(FileSystemError.NameTooLong));
    }

    [Fact]
    public void OpenFlagsAndTtlsConvert()
    {
        Assert.Equal(OpenFlags.Read, FuseConvert.OpenFlags(0));
        Assert.Equal(OpenFlags.Write | OpenFlags.Truncate, FuseConvert.OpenFlags(FuseConstants.OWriteOnly | FuseConstants.OTruncate));
        Assert.Equal(OpenFlags.ReadWrite | OpenFlags.Append | OpenFlags.Exclusive, FuseConvert.OpenFlags(FuseConstants.OReadWrite | FuseConstants.OAppend | FuseConstants.OExclusive));
        Assert.Equal((1UL, 500_000_000U), FuseConvert.Ttl(TimeSpan.FromMilliseconds(1500)));
        Assert.Equal((0UL, 0U), FuseConvert.Ttl(TimeSpan.FromSeconds(-1)));
        Assert.Equal(8U, FuseConvert.DirentType(NodeType.File));
        Assert.Equal(4U, FuseConvert.DirentType(NodeType.Directory));
    }

    private static FuseInitOut FuseSession_Negotiate(FuseInitIn init) => FuseSession.Negotiate(init, 1 << 20, 4096);

    private static void RoundTrip<T>(T value, int size, Action<T, byte[]> write, Func<ReadOnlySpan<byte>, T> read)
    {
        byte[] exact = new byte[size];
        write(value, exact);
        Assert.Equal(value, read(exact));
        Assert.Throws<FuseProtocolException>(() => read(exact.AsSpan(0, size - 1)));
    }
}
