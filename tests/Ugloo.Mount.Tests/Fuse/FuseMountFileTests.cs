using System.Security.Cryptography;

namespace Ugloo.Mount.Tests.Fuse;

/// <summary>Regular files on a real mount: create, write, read, append, truncate, large files, unlink while open.</summary>
[Collection(FuseMountGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FuseMountFileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WrittenFileReadsBack()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string path = mount.PathOf("hello.txt");
        await File.WriteAllTextAsync(path, "hello, fuse", Ct);
        Assert.Equal("hello, fuse", await File.ReadAllTextAsync(path, Ct));
        Assert.Equal(11, new FileInfo(path).Length);
        Assert.Equal(["hello.txt"], Directory.GetFileSystemEntries(mount.Root).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AppendTruncateAndExtendBehaveAsPosix()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string path = mount.PathOf("f");
        await File.WriteAllTextAsync(path, "abc", Ct);
        await File.AppendAllTextAsync(path, "def", Ct);
        Assert.Equal("abcdef", await File.ReadAllTextAsync(path, Ct));

        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.SetLength(2);
        }

        Assert.Equal("ab", await File.ReadAllTextAsync(path, Ct));

        // Extending leaves a hole that reads as zeros, also where old bytes used to be.
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.SetLength(6);
        }

        Assert.Equal("ab\0\0\0\0"u8.ToArray(), await File.ReadAllBytesAsync(path, Ct));

        // O_TRUNC on open (FUSE_ATOMIC_O_TRUNC: done by OPEN itself).
        using (var stream = new FileStream(path, FileMode.Truncate, FileAccess.Write))
        {
            Assert.Equal(0, stream.Length);
        }

        Assert.Equal(0, new FileInfo(path).Length);

        // Writing at an offset past the end.
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.Position = 100_000;
            stream.Write("z"u8);
        }

        byte[] content = await File.ReadAllBytesAsync(path, Ct);
        Assert.Equal(100_001, content.Length);
        Assert.Equal((byte)'z', content[^1]);
        Assert.All(content[..^1], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task LargeFileRoundTripsByContentHash()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string path = mount.PathOf("large.bin");
        const int chunk = 1 << 20;
        const int chunks = 64;
        var random = new Random(42);
        byte[] buffer = new byte[chunk];
        using var written = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            for (int i = 0; i < chunks; i++)
            {
                random.NextBytes(buffer);
                written.AppendData(buffer);
                await stream.WriteAsync(buffer, Ct);
            }
        }

        Assert.Equal((long)chunk * chunks, new FileInfo(path).Length);
        byte[] readHash;
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        {
            readHash = await SHA256.HashDataAsync(stream, Ct);
        }

        Assert.Equal(Convert.ToHexString(written.GetHashAndReset()), Convert.ToHexString(readHash));

        // And through another reader (page cache or not, the bytes are the kernel's view of the file).
        string sum = await ExternalTool.RunCheckedAsync("sha256sum", path);
        Assert.StartsWith(Convert.ToHexStringLower(readHash), sum, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnlinkedOpenFileStaysReadableUntilClosed()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string path = mount.PathOf("doomed");
        int nodesBefore = mount.FileSystem.NodeCount;
        await using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0))
        {
            stream.Write("still here"u8);
            File.Delete(path);
            Assert.False(File.Exists(path));
            Assert.Empty(Directory.GetFileSystemEntries(mount.Root));

            stream.Position = 0;
            byte[] back = new byte[10];
            stream.ReadExactly(back);
            Assert.Equal("still here"u8.ToArray(), back);

            stream.Write(" and growing"u8);
            stream.Position = 0;
            byte[] all = new byte[22];
            stream.ReadExactly(all);
            Assert.Equal("still here and growing"u8.ToArray(), all);
        }

        // Released and forgotten by the kernel: the memory filesystem frees the node.
        await WaitUntilAsync(() => mount.FileSystem.NodeCount == nodesBefore);
        Assert.Equal(nodesBefore, mount.FileSystem.NodeCount);
    }

    [Fact]
    public async Task EditorSaveWriteTempFsyncRenameReplacesAtomically()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string path = mount.PathOf("document.txt");
        await File.WriteAllTextAsync(path, "version 1", Ct);
        await using (FileStream reader = File.OpenRead(path))
        {
            string temp = mount.PathOf(".document.txt.swp");
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write("version 2, longer"u8);
                stream.Flush(flushToDisk: true); // fsync
            }

            File.Move(temp, path, overwrite: true);

            // A reader that opened the old file keeps the old content (it holds the replaced inode).
            byte[] old = new byte[9];
            reader.ReadExactly(old);
            Assert.Equal("version 1"u8.ToArray(), old);
        }

        Assert.Equal("version 2, longer", await File.ReadAllTextAsync(path, Ct));
        Assert.Equal(["document.txt"], Directory.GetFileSystemEntries(mount.Root).Select(Path.GetFileName));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50, Ct);
        }
    }
}
