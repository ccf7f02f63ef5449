using System.Text;

namespace Ugloo.Mount.Tests.Fuse;

/// <summary>What users' tools see: df, xattrs, cp -a / diff -r / rsync of a whole tree.</summary>
[Collection(FuseMountGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FuseMountToolTests
{
    private const int EEXIST = 17;
    private const int ENODATA = 61;
    private const int EOPNOTSUPP = 95;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DfShowsFreeSpace()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string df = await ExternalTool.RunCheckedAsync("df", "-B1", "--output=size,avail,fstype", mount.Root);
        string[] fields = df.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture) > 0, df);
        Assert.True(long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) > 0, df);
        Assert.Equal("fuse.ugloo", fields[2]);
        Assert.True(new DriveInfo(mount.Root).AvailableFreeSpace > 0);
    }

    [Fact]
    public async Task UserXattrsRoundTripAndOtherNamespacesAreUnsupported()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string path = mount.PathOf("f");
        await File.WriteAllTextAsync(path, "x", Ct);
        byte[] value = Encoding.UTF8.GetBytes("checksum=abc");
        Assert.Equal(0, TestLibC.SetXattr(path, "user.ugloo.test", value, (nuint)value.Length, 0));
        Assert.Equal(0, TestLibC.SetXattr(path, "user.empty", [], 0, 0));

        Assert.Equal(value.Length, (int)TestLibC.GetXattr(path, "user.ugloo.test", null, 0));
        byte[] back = new byte[64];
        int length = (int)TestLibC.GetXattr(path, "user.ugloo.test", back, (nuint)back.Length);
        Assert.Equal("checksum=abc", Encoding.UTF8.GetString(back, 0, length));
        Assert.Equal(-1, (int)TestLibC.GetXattr(path, "user.ugloo.test", new byte[4], 4));
        Assert.Equal(34, TestLibC.Errno); // ERANGE

        byte[] list = new byte[256];
        int listLength = (int)TestLibC.ListXattr(path, list, (nuint)list.Length);
        string[] names = Encoding.UTF8.GetString(list, 0, listLength).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["user.empty", "user.ugloo.test"], names.Order(StringComparer.Ordinal));

        Assert.Equal(-1, TestLibC.SetXattr(path, "user.ugloo.test", value, (nuint)value.Length, TestLibC.XattrCreate));
        Assert.Equal(EEXIST, TestLibC.Errno);
        Assert.Equal(-1, TestLibC.SetXattr(path, "user.absent", value, (nuint)value.Length, TestLibC.XattrReplace));
        Assert.Equal(ENODATA, TestLibC.Errno);

        Assert.Equal(0, TestLibC.RemoveXattr(path, "user.ugloo.test"));
        Assert.Equal(-1, (int)TestLibC.GetXattr(path, "user.ugloo.test", back, (nuint)back.Length));
        Assert.Equal(ENODATA, TestLibC.Errno);

        Assert.Equal(-1, TestLibC.SetXattr(path, "trusted.secret", value, (nuint)value.Length, 0));
        Assert.Equal(EOPNOTSUPP, TestLibC.Errno);
    }

    [Fact]
    public async Task CopiedTreeIsIdenticalForDiffAndRsync()
    {
        string source = Directory.CreateTempSubdirectory("ugloo-fuse-src-").FullName;
        try
        {
            GenerateTree(source);
            await using TestMount mount = await TestMount.StartAsync();
            string copy = mount.PathOf("copy");
            await ExternalTool.RunCheckedAsync("cp", "-a", source + "/.", copy);

            (int diffExit, string diffOutput, string diffError) = await ExternalTool.RunAsync("diff", "-r", "--no-dereference", source, copy);
            Assert.True(diffExit == 0, $"diff -r found differences: {diffOutput}{diffError}");

            // rsync -a compares sizes, modes, owners, symlink targets and (nanosecond) mtimes; --checksum
            // also compares content. -i itemizes every difference; nothing may be listed.
            string rsync = await ExternalTool.RunCheckedAsync("rsync", "--checksum", "--dry-run", "-a", "-i", source + "/", copy + "/");
            Assert.True(rsync.Length == 0, $"rsync sees differences:\n{rsync}");

            // And a copy back out of the mount is identical too (reads through the mount, not the cache).
            string back = Path.Combine(source, "..", Path.GetFileName(source) + "-back");
            try
            {
                await ExternalTool.RunCheckedAsync("rsync", "-a", copy + "/", back + "/");
                (int backExit, string backOutput, _) = await ExternalTool.RunAsync("diff", "-r", "--no-dereference", source, back);
                Assert.True(backExit == 0, backOutput);
            }
            finally
            {
                Directory.Delete(back, recursive: true);
            }
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }

    [Fact]
    public async Task UnsupportedOperationsAreReportedAsSuchNotAsIOErrors()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string path = mount.PathOf("f");
        await File.WriteAllTextAsync(path, "x", Ct);

        // FALLOCATE is answered ENOSYS; the kernel turns that into EOPNOTSUPP, never EIO.
        (int exit, _, string error) = await ExternalTool.RunAsync("fallocate", "-l", "1M", path);
        Assert.NotEqual(0, exit);
        Assert.Contains("not supported", error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("x", await File.ReadAllTextAsync(path, Ct));
    }

    /// <summary>A tree of many sizes (around page and chunk boundaries), modes, symlinks and hard links.</summary>
    private static void GenerateTree(string root)
    {
        var random = new Random(7);
        int[] sizes = [0, 1, 7, 4095, 4096, 4097, 65535, 65536, 65537, 131072 + 3, 1 << 20, (1 << 20) + 1, (3 << 20) + 17];
        UnixFileMode[] modes =
        [
            (UnixFileMode)0x1A4, // 0644
            (UnixFileMode)0x180, // 0600
            (UnixFileMode)0x1ED, // 0755
            (UnixFileMode)0x124, // 0444
            (UnixFileMode)0x1A0, // 0640
        ];
        for (int d = 0; d < 4; d++)
        {
            string directory = Path.Combine(root, $"dir{d}", d % 2 == 0 ? "nested" : "flat");
            Directory.CreateDirectory(directory);
            for (int i = 0; i < sizes.Length; i++)
            {
                string file = Path.Combine(directory, $"file{i}-{sizes[i]}.bin");
                byte[] content = new byte[sizes[i]];
                random.NextBytes(content);
                File.WriteAllBytes(file, content);
                File.SetUnixFileMode(file, modes[(i + d) % modes.Length]);
            }

            File.CreateSymbolicLink(Path.Combine(directory, "link-to-first"), "file0-0.bin");
            File.CreateSymbolicLink(Path.Combine(directory, "link-up"), "../..");
            File.CreateSymbolicLink(Path.Combine(directory, "dangling"), "does/not/exist");
            Assert.Equal(0, TestLibC.Link(Path.Combine(directory, "file3-4095.bin"), Path.Combine(directory, "hardlink")));
            File.SetUnixFileMode(Path.Combine(root, $"dir{d}"), d == 3 ? (UnixFileMode)0x1C0 /* 0700 */ : (UnixFileMode)0x1ED);
        }

        File.WriteAllText(Path.Combine(root, "name with spaces & ünïcödé.txt"), "text");
        Directory.CreateDirectory(Path.Combine(root, "empty"));
    }
}
