namespace Ugloo.Mount.Tests.Fuse;

/// <summary>Regular files on a real mount: create, write, read, append, truncate, large files.</summary>
[Collection(FuseMountGroup.Name)]
public sealed class FuseMountFileTests
{
    [Fact]
    public async Task WrittenFileReadsBack()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string path = mount.PathOf("hello.txt");
        await File.WriteAllTextAsync(path, "hello, fuse", TestContext.Current.CancellationToken);
        Assert.Equal("hello, fuse", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
        Assert.Equal(11, new FileInfo(path).Length);
        Assert.Equal(["hello.txt"], Directory.GetFileSystemEntries(mount.Root).Select(Path.GetFileName));
    }
}
