namespace Ugloo.Mount.Tests.Fuse;

/// <summary>Names on a real mount: directories, renames, links, errors as the syscalls report them.</summary>
[Collection(FuseMountGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FuseMountNamespaceTests
{
    private const int EEXIST = 17;
    private const int ENOTDIR = 20;
    private const int EISDIR = 21;
    private const int ENOTEMPTY = 39;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MkdirRmdirAndNotEmpty()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string a = mount.PathOf("a");
        Directory.CreateDirectory(Path.Combine(a, "b", "c"));
        Assert.True(Directory.Exists(Path.Combine(a, "b", "c")));

        IOException notEmpty = Assert.ThrowsAny<IOException>(() => Directory.Delete(a));
        Assert.Equal(ENOTEMPTY, notEmpty.HResult);
        Assert.Equal(-1, TestLibC.Rmdir(a));
        Assert.Equal(ENOTEMPTY, TestLibC.Errno);

        // Directory link counts: 2 + subdirectories.
        Assert.Equal("3", (await ExternalTool.RunCheckedAsync("stat", "-c", "%h", a)).Trim());

        Directory.Delete(a, recursive: true);
        Assert.False(Directory.Exists(a));
        Assert.Empty(Directory.GetFileSystemEntries(mount.Root));
    }

    [Fact]
    public async Task ExistingNamesAreEEXIST()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string file = mount.PathOf("f");
        await File.WriteAllTextAsync(file, "x", Ct);
        IOException exists = Assert.ThrowsAny<IOException>(() => new FileStream(file, FileMode.CreateNew));
        Assert.Equal(EEXIST, exists.HResult);

        Assert.Equal(-1, TestLibC.Mkdir(file, 0x1ED));
        Assert.Equal(EEXIST, TestLibC.Errno);
        Assert.Equal(-1, TestLibC.Link(file, file));
        Assert.Equal(EEXIST, TestLibC.Errno);
    }

    [Fact]
    public async Task NamesLongerThan255BytesAreENAMETOOLONG()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string longest = new('n', 255);
        await File.WriteAllTextAsync(mount.PathOf(longest), "ok", Ct);
        Assert.Equal("ok", await File.ReadAllTextAsync(mount.PathOf(longest), Ct));

        Assert.Throws<PathTooLongException>(() => File.WriteAllText(mount.PathOf(new string('n', 256)), "no"));
        Assert.Throws<PathTooLongException>(() => Directory.CreateDirectory(mount.PathOf(new string('d', 300))));

        // 255 bytes of UTF-8 is the limit, not 255 characters: 128 two-byte characters are 256 bytes.
        Assert.Throws<PathTooLongException>(() => File.WriteAllText(mount.PathOf(new string('é', 128)), "no"));
    }

    [Fact]
    public async Task UnlinkOfDirectoryIsEISDIRAndRmdirOfFileIsENOTDIR()
    {
        await using TestMount mount = await TestMount.StartAsync();
        Directory.CreateDirectory(mount.PathOf("d"));
        await File.WriteAllTextAsync(mount.PathOf("f"), "x", Ct);
        Assert.Equal(-1, TestLibC.Unlink(mount.PathOf("d")));
        Assert.Equal(EISDIR, TestLibC.Errno);
        Assert.Equal(-1, TestLibC.Rmdir(mount.PathOf("f")));
        Assert.Equal(ENOTDIR, TestLibC.Errno);
        Assert.ThrowsAny<IOException>(() => File.ReadAllText(mount.PathOf("f/below"))); // ENOTDIR
    }

    [Fact]
    public async Task RenameMovesAndReplacesExistingTargets()
    {
        await using TestMount mount = await TestMount.StartAsync();
        await File.WriteAllTextAsync(mount.PathOf("a"), "from a", Ct);
        await File.WriteAllTextAsync(mount.PathOf("b"), "from b", Ct);
        File.Move(mount.PathOf("a"), mount.PathOf("b"), overwrite: true);
        Assert.False(File.Exists(mount.PathOf("a")));
        Assert.Equal("from a", await File.ReadAllTextAsync(mount.PathOf("b"), Ct));

        // Directories move between parents, with their content.
        Directory.CreateDirectory(mount.PathOf("src/inner"));
        await File.WriteAllTextAsync(mount.PathOf("src/inner/f"), "deep", Ct);
        Directory.CreateDirectory(mount.PathOf("dst"));
        Directory.Move(mount.PathOf("src/inner"), mount.PathOf("dst/moved"));
        Assert.Equal("deep", await File.ReadAllTextAsync(mount.PathOf("dst/moved/f"), Ct));
        Assert.Empty(Directory.GetFileSystemEntries(mount.PathOf("src")));

        // Over an empty directory: replaced; over a non-empty one: ENOTEMPTY; a directory over a file: ENOTDIR.
        Directory.CreateDirectory(mount.PathOf("empty"));
        Assert.Equal(0, TestLibC.RenameAt2(TestLibC.AtFdCwd, mount.PathOf("src"), TestLibC.AtFdCwd, mount.PathOf("empty"), 0));
        Assert.False(Directory.Exists(mount.PathOf("src")));
        Assert.Equal(-1, TestLibC.RenameAt2(TestLibC.AtFdCwd, mount.PathOf("empty"), TestLibC.AtFdCwd, mount.PathOf("dst"), 0));
        Assert.Equal(ENOTEMPTY, TestLibC.Errno);
        Assert.Equal(-1, TestLibC.RenameAt2(TestLibC.AtFdCwd, mount.PathOf("empty"), TestLibC.AtFdCwd, mount.PathOf("b"), 0));
        Assert.Equal(ENOTDIR, TestLibC.Errno);
    }

    [Fact]
    public async Task RenameNoReplaceAndExchange()
    {
        await using TestMount mount = await TestMount.StartAsync();
        await File.WriteAllTextAsync(mount.PathOf("a"), "A", Ct);
        await File.WriteAllTextAsync(mount.PathOf("b"), "B", Ct);

        Assert.Equal(-1, TestLibC.RenameAt2(TestLibC.AtFdCwd, mount.PathOf("a"), TestLibC.AtFdCwd, mount.PathOf("b"), TestLibC.RenameNoReplace));
        Assert.Equal(EEXIST, TestLibC.Errno);
        Assert.Equal("B", await File.ReadAllTextAsync(mount.PathOf("b"), Ct));

        Assert.Equal(0, TestLibC.RenameAt2(TestLibC.AtFdCwd, mount.PathOf("a"), TestLibC.AtFdCwd, mount.PathOf("b"), TestLibC.RenameExchange));
        Assert.Equal("B", await File.ReadAllTextAsync(mount.PathOf("a"), Ct));
        Assert.Equal("A", await File.ReadAllTextAsync(mount.PathOf("b"), Ct));

        Assert.Equal(0, TestLibC.RenameAt2(TestLibC.AtFdCwd, mount.PathOf("a"), TestLibC.AtFdCwd, mount.PathOf("c"), TestLibC.RenameNoReplace));
        Assert.Equal("B", await File.ReadAllTextAsync(mount.PathOf("c"), Ct));

        // mv -n (no-clobber) leaves an existing target alone.
        await ExternalTool.RunAsync("mv", "-n", mount.PathOf("c"), mount.PathOf("b"));
        Assert.Equal("A", await File.ReadAllTextAsync(mount.PathOf("b"), Ct));
    }

    [Fact]
    public async Task SymlinksResolveAndReadBack()
    {
        await using TestMount mount = await TestMount.StartAsync();
        await File.WriteAllTextAsync(mount.PathOf("target.txt"), "through the link", Ct);
        File.CreateSymbolicLink(mount.PathOf("link"), "target.txt");
        File.CreateSymbolicLink(mount.PathOf("dangling"), "../nowhere/at/all");
        Assert.Equal("target.txt", new FileInfo(mount.PathOf("link")).LinkTarget);
        Assert.Equal("../nowhere/at/all", new FileInfo(mount.PathOf("dangling")).LinkTarget);
        Assert.Equal("through the link", await File.ReadAllTextAsync(mount.PathOf("link"), Ct));
        Assert.Equal("target.txt", (await ExternalTool.RunCheckedAsync("readlink", mount.PathOf("link"))).Trim());
    }

    [Fact]
    public async Task HardLinksShareContentAndCountLinks()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string a = mount.PathOf("a");
        string b = mount.PathOf("b");
        await File.WriteAllTextAsync(a, "shared", Ct);
        Assert.Equal(0, TestLibC.Link(a, b));
        Assert.Equal("2 2", (await ExternalTool.RunCheckedAsync("stat", "-c", "%h", a, b)).ReplaceLineEndings(" ").Trim());
        Assert.Equal(
            (await ExternalTool.RunCheckedAsync("stat", "-c", "%i", a)).Trim(),
            (await ExternalTool.RunCheckedAsync("stat", "-c", "%i", b)).Trim());

        await File.AppendAllTextAsync(b, " content", Ct);
        Assert.Equal("shared content", await File.ReadAllTextAsync(a, Ct));

        File.Delete(a);
        Assert.Equal("1", (await ExternalTool.RunCheckedAsync("stat", "-c", "%h", b)).Trim());
        Assert.Equal("shared content", await File.ReadAllTextAsync(b, Ct));
    }

    [Fact]
    public async Task ChmodChownAndTimestampsStick()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string path = mount.PathOf("f");
        await File.WriteAllTextAsync(path, "x", Ct);

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.SetGroup);
        Assert.Equal("2640", (await ExternalTool.RunCheckedAsync("stat", "-c", "%a", path)).Trim());

        Assert.Equal(0, TestLibC.Chown(path, 1234, 5678));
        Assert.Equal("1234:5678", (await ExternalTool.RunCheckedAsync("stat", "-c", "%u:%g", path)).Trim());

        // Nanosecond timestamps survive (cp -a and rsync -a compare them).
        await ExternalTool.RunCheckedAsync("touch", "-m", "-d", "@1234567890.123456789", path);
        Assert.Equal("1234567890.123456789", (await ExternalTool.RunCheckedAsync("stat", "-c", "%.9Y", path)).Trim());
        var when = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastAccessTimeUtc(path, when);
        Assert.Equal(when, File.GetLastAccessTimeUtc(path));

        // Writing moves mtime forward to now.
        await File.AppendAllTextAsync(path, "y", Ct);
        Assert.True(File.GetLastWriteTimeUtc(path) > when);
    }

    [Fact]
    public async Task NewFilesBelongToTheCallingUser()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string shared = mount.PathOf("shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, (UnixFileMode)0x1FF); // 0777

        // Another user, through allow_other: owns what it creates.
        await ExternalTool.RunCheckedAsync("setpriv", "--reuid=4321", "--regid=8765", "--clear-groups", "touch", Path.Combine(shared, "theirs"));
        Assert.Equal("4321:8765", (await ExternalTool.RunCheckedAsync("stat", "-c", "%u:%g", Path.Combine(shared, "theirs"))).Trim());

        // default_permissions: the kernel refuses them what the mode forbids.
        Directory.CreateDirectory(mount.PathOf("private"));
        File.SetUnixFileMode(mount.PathOf("private"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        (int exit, _, string error) = await ExternalTool.RunAsync("setpriv", "--reuid=4321", "--regid=8765", "--clear-groups", "touch", mount.PathOf("private/nope"));
        Assert.NotEqual(0, exit);
        Assert.Contains("Permission denied", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LargeDirectoryListsEveryEntryOnce()
    {
        await using TestMount mount = await TestMount.StartAsync();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 600; i++)
        {
            string name = $"entry-{i:D4}-{new string('x', i % 120)}";
            expected.Add(name);
            await File.WriteAllTextAsync(mount.PathOf(name), string.Empty, Ct);
        }

        // Hundreds of entries span many READDIRPLUS replies: cookies must resume exactly.
        string[] listed = [.. Directory.EnumerateFileSystemEntries(mount.Root).Select(p => Path.GetFileName(p)!)];
        Assert.Equal(expected.Count, listed.Length);
        Assert.True(expected.SetEquals(listed));
        string ls = await ExternalTool.RunCheckedAsync("ls", "-la", mount.Root);
        Assert.Equal(600 + 2, ls.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1); // "total" line, ".", ".."
    }
}
