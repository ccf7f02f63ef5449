using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.Tests.Fuse;

/// <summary>MemoryFileSystem semantics that are hard to reach through a mount: cookies, lookup counts, exchange.</summary>
public sealed class MemoryFileSystemTests
{
    private static readonly RequestContext s_caller = new(1000, 100, 1, 0x12);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListingResumesAfterACookieWhileEntriesChange()
    {
        var fs = new MemoryFileSystem();
        for (int i = 0; i < 10; i++)
        {
            await fs.MknodAsync(s_caller, IFileSystem.RootNode, $"f{i}", NodeType.File, 0x1A4, 0, Ct);
        }

        OpenResult dir = await fs.OpenDirAsync(s_caller, IFileSystem.RootNode, Ct);
        var first = new Listing(capacity: 5);
        await fs.ReadDirAsync(s_caller, IFileSystem.RootNode, dir.Handle, 0, first, Ct);
        Assert.Equal([".", "..", "f0", "f1", "f2"], first.Names);

        // Remove an entry already listed and one not yet listed, add a new one: the rest continues exactly.
        await fs.UnlinkAsync(s_caller, IFileSystem.RootNode, "f1", Ct);
        await fs.UnlinkAsync(s_caller, IFileSystem.RootNode, "f5", Ct);
        await fs.MknodAsync(s_caller, IFileSystem.RootNode, "new", NodeType.File, 0x1A4, 0, Ct);
        var rest = new Listing(capacity: 100);
        await fs.ReadDirAsync(s_caller, IFileSystem.RootNode, dir.Handle, first.LastCookie, rest, Ct);
        Assert.Equal(["f3", "f4", "f6", "f7", "f8", "f9", "new"], rest.Names);
    }

    [Fact]
    public async Task NodesLiveUntilUnlinkedReleasedAndForgotten()
    {
        var fs = new MemoryFileSystem();
        CreateResult created = await fs.CreateAsync(s_caller, IFileSystem.RootNode, "f", 0x1A4, OpenFlags.ReadWrite, Ct);
        Assert.Equal(1000U, created.Entry.Attributes.Uid);
        Assert.Equal(100U, created.Entry.Attributes.Gid);
        await fs.UnlinkAsync(s_caller, IFileSystem.RootNode, "f", Ct);
        Assert.Equal(2, fs.NodeCount);
        Assert.Equal(0U, (await fs.GetAttrAsync(s_caller, created.Entry.Node, null, Ct)).LinkCount);
        await fs.ReleaseAsync(created.Entry.Node, created.Open.Handle, Ct);
        Assert.Equal(2, fs.NodeCount); // the kernel still holds its lookup
        await fs.ForgetAsync(created.Entry.Node, 1, Ct);
        Assert.Equal(1, fs.NodeCount);
    }

    [Fact]
    public async Task DirectoryLinkCountsFollowMkdirRenameAndRmdir()
    {
        var fs = new MemoryFileSystem();
        EntryInfo a = await fs.MkdirAsync(s_caller, IFileSystem.RootNode, "a", 0x1ED, Ct);
        EntryInfo b = await fs.MkdirAsync(s_caller, IFileSystem.RootNode, "b", 0x1ED, Ct);
        await fs.MkdirAsync(s_caller, a.Node, "child", 0x1ED, Ct);
        Assert.Equal(3U, (await fs.GetAttrAsync(s_caller, a.Node, null, Ct)).LinkCount);
        Assert.Equal(4U, (await fs.GetAttrAsync(s_caller, IFileSystem.RootNode, null, Ct)).LinkCount);

        await fs.RenameAsync(s_caller, a.Node, "child", b.Node, "child", RenameFlags.None, Ct);
        Assert.Equal(2U, (await fs.GetAttrAsync(s_caller, a.Node, null, Ct)).LinkCount);
        Assert.Equal(3U, (await fs.GetAttrAsync(s_caller, b.Node, null, Ct)).LinkCount);

        FileSystemException intoItself = await Assert.ThrowsAsync<FileSystemException>(
            () => fs.RenameAsync(s_caller, IFileSystem.RootNode, "b", b.Node, "inside", RenameFlags.None, Ct).AsTask());
        Assert.Equal(FileSystemError.InvalidArgument, intoItself.Error);

        await fs.RmdirAsync(s_caller, b.Node, "child", Ct);
        Assert.Equal(2U, (await fs.GetAttrAsync(s_caller, b.Node, null, Ct)).LinkCount);
    }

    [Fact]
    public async Task SetGidDirectoriesPassTheirGroupOn()
    {
        var fs = new MemoryFileSystem();
        EntryInfo shared = await fs.MkdirAsync(s_caller, IFileSystem.RootNode, "shared", 0x1ED, Ct);
        await fs.SetAttrAsync(s_caller, shared.Node, null, new SetAttrChanges { Gid = 555, Permissions = 0x5ED /* 02755 */ }, Ct);
        EntryInfo sub = await fs.MkdirAsync(s_caller, shared.Node, "sub", 0x1ED, Ct);
        Assert.Equal(555U, sub.Attributes.Gid);
        Assert.Equal(0x5EDU, sub.Attributes.Permissions);
    }

    [Fact]
    public async Task ReadsOfHolesAndPastTheEndBehave()
    {
        var fs = new MemoryFileSystem();
        CreateResult f = await fs.CreateAsync(s_caller, IFileSystem.RootNode, "sparse", 0x1A4, OpenFlags.ReadWrite, Ct);
        await fs.WriteAsync(s_caller, f.Entry.Node, f.Open.Handle, 200_000, new byte[] { 1, 2, 3 }, Ct);
        byte[] buffer = new byte[10];
        Assert.Equal(10, await fs.ReadAsync(s_caller, f.Entry.Node, f.Open.Handle, 100, buffer, Ct));
        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.Equal(3, await fs.ReadAsync(s_caller, f.Entry.Node, f.Open.Handle, 200_000, buffer, Ct));
        Assert.Equal(0, await fs.ReadAsync(s_caller, f.Entry.Node, f.Open.Handle, 300_000, buffer, Ct));
    }

    private sealed class Listing(int capacity) : DirectoryListing
    {
        public List<string> Names { get; } = [];

        public long LastCookie { get; private set; }

        public override bool WantsAttributes => false;

        public override bool TryAdd(string name, ulong node, NodeType type, long nextOffset, EntryInfo? entry)
        {
            if (Names.Count == capacity)
            {
                return false;
            }

            Names.Add(name);
            LastCookie = nextOffset;
            return true;
        }
    }
}
