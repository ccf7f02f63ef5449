using System.Runtime.InteropServices;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.Tests.Fuse;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// POSIX edge cases on the mounted volume, after pjdfstest's categories: each call answers the errno a
/// program expects and changes nothing when it fails. (Unlink of an open file, EROFS in history, hard links
/// and RENAME_NOREPLACE over a file are covered by <see cref="VolumeMountTests"/> and
/// <see cref="VolumeHistoryTests"/>.)
/// </summary>
[Collection(ClusterTestGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class VolumePosixTests : IClassFixture<SmallSegmentCluster>
{
    private const int ENOTDIR = 20;
    private const int EISDIR = 21;
    private const int EEXIST = 17;
    private const int ENAMETOOLONG = 36;
    private const int ENOTEMPTY = 39;

    private const int OWronly = 0x1;
    private const int OCreat = 0x40;
    private const int OExcl = 0x80;

    private readonly RunningCluster _cluster;

    public VolumePosixTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    [Fact]
    public async Task Names_longer_than_255_bytes_are_ENAMETOOLONG_and_255_bytes_work()
    {
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        Directory.CreateDirectory(mount.PathOf("long"));
        string longest = new('a', 255);
        await File.WriteAllTextAsync(mount.PathOf("long/" + longest), "x", TestContext.Current.CancellationToken);
        Assert.Equal("x", await File.ReadAllTextAsync(mount.PathOf("long/" + longest), TestContext.Current.CancellationToken));

        // 256 bytes, also when counted in UTF-8 bytes rather than characters (128 two-byte characters).
        foreach (string name in new[] { new string('b', 256), new string('é', 128) })
        {
            AssertErrno(ENAMETOOLONG, TestLibC.Mkdir(mount.PathOf("long/" + name), 0x1ED));
            AssertErrno(ENAMETOOLONG, Open(mount.PathOf("long/" + name), OWronly | OCreat, 0x1A4));
            AssertErrno(ENAMETOOLONG, TestLibC.RenameAt2(TestLibC.AtFdCwd, mount.PathOf("long/" + longest), TestLibC.AtFdCwd, mount.PathOf("long/" + name), 0));
        }

        Assert.Equal([longest], Directory.GetFileSystemEntries(mount.PathOf("long")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Creating_what_exists_is_EEXIST_and_leaves_it_alone()
    {
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        Directory.CreateDirectory(mount.PathOf("exist/dir"));
        await File.WriteAllTextAsync(mount.PathOf("exist/file"), "kept", TestContext.Current.CancellationToken);

        AssertErrno(EEXIST, TestLibC.Mkdir(mount.PathOf("exist/dir"), 0x1ED));
        AssertErrno(EEXIST, TestLibC.Mkdir(mount.PathOf("exist/file"), 0x1ED));
        AssertErrno(EEXIST, Open(mount.PathOf("exist/file"), OWronly | OCreat | OExcl, 0x1A4));
        AssertErrno(EEXIST, Open(mount.PathOf("exist/dir"), OWronly | OCreat | OExcl, 0x1A4));
        AssertErrno(EEXIST, TestLibC.RenameAt2(TestLibC.AtFdCwd, mount.PathOf("exist/dir"), TestLibC.AtFdCwd, mount.PathOf("exist/file"), TestLibC.RenameNoReplace));

        Assert.Equal("kept", await File.ReadAllTextAsync(mount.PathOf("exist/file"), TestContext.Current.CancellationToken));
        Assert.True(Directory.Exists(mount.PathOf("exist/dir")));
    }

    [Fact]
    public async Task Files_and_directories_in_each_others_place_are_EISDIR_ENOTDIR_and_ENOTEMPTY()
    {
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        Directory.CreateDirectory(mount.PathOf("kinds/dir"));
        Directory.CreateDirectory(mount.PathOf("kinds/full"));
        await File.WriteAllTextAsync(mount.PathOf("kinds/full/inside"), "in", TestContext.Current.CancellationToken);
        Directory.CreateDirectory(mount.PathOf("kinds/empty"));
        await File.WriteAllTextAsync(mount.PathOf("kinds/file"), "file", TestContext.Current.CancellationToken);

        AssertErrno(EISDIR, Open(mount.PathOf("kinds/dir"), OWronly, 0));
        AssertErrno(EISDIR, TestLibC.Unlink(mount.PathOf("kinds/dir")));
        AssertErrno(EISDIR, Rename(mount.PathOf("kinds/file"), mount.PathOf("kinds/dir")));
        AssertErrno(ENOTDIR, TestLibC.Rmdir(mount.PathOf("kinds/file")));
        AssertErrno(ENOTDIR, Rename(mount.PathOf("kinds/dir"), mount.PathOf("kinds/file")));
        AssertErrno(ENOTDIR, TestLibC.Mkdir(mount.PathOf("kinds/file/sub"), 0x1ED));
        AssertErrno(ENOTDIR, Open(mount.PathOf("kinds/file/sub"), OWronly | OCreat, 0x1A4));
        AssertErrno(ENOTEMPTY, Rename(mount.PathOf("kinds/dir"), mount.PathOf("kinds/full")));
        AssertErrno(ENOTEMPTY, TestLibC.Rmdir(mount.PathOf("kinds/full")));

        // A directory moved over an empty one replaces it.
        await File.WriteAllTextAsync(mount.PathOf("kinds/dir/moved"), "moved", TestContext.Current.CancellationToken);
        Assert.Equal(0, Rename(mount.PathOf("kinds/dir"), mount.PathOf("kinds/empty")));
        Assert.Equal("moved", await File.ReadAllTextAsync(mount.PathOf("kinds/empty/moved"), TestContext.Current.CancellationToken));
        Assert.False(Directory.Exists(mount.PathOf("kinds/dir")));
        Assert.Equal("file", await File.ReadAllTextAsync(mount.PathOf("kinds/file"), TestContext.Current.CancellationToken));
        Assert.Equal("in", await File.ReadAllTextAsync(mount.PathOf("kinds/full/inside"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Renaming_a_name_onto_itself_changes_nothing()
    {
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        Directory.CreateDirectory(mount.PathOf("self/dir"));
        await File.WriteAllTextAsync(mount.PathOf("self/file"), "same", TestContext.Current.CancellationToken);
        await mount.SettleAsync();

        Assert.Equal(0, Rename(mount.PathOf("self/file"), mount.PathOf("self/file")));
        Assert.Equal(0, Rename(mount.PathOf("self/dir"), mount.PathOf("self/dir")));
        Assert.Equal("same", await File.ReadAllTextAsync(mount.PathOf("self/file"), TestContext.Current.CancellationToken));
        Assert.True(Directory.Exists(mount.PathOf("self/dir")));
        Assert.Single(Directory.GetFiles(mount.PathOf(".ugloo/history/self/file")));
    }

    [Fact]
    public async Task Chmod_and_chown_show_in_stat_at_once_and_after_a_remount()
    {
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            Directory.CreateDirectory(mount.PathOf("own/dir"));
            await File.WriteAllTextAsync(mount.PathOf("own/file"), "owned", TestContext.Current.CancellationToken);
            Assert.Equal(0, TestLibC.Chown(mount.PathOf("own/file"), 1234, 5678));
            File.SetUnixFileMode(mount.PathOf("own/file"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.SetUser);
            File.SetUnixFileMode(mount.PathOf("own/dir"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.StickyBit);
            Assert.Equal(0, TestLibC.Chown(mount.PathOf("own/dir"), 4321, 8765));
            await AssertStatAsync(mount, "own/file", "4640 1234:5678");
            await AssertStatAsync(mount, "own/dir", "1700 4321:8765");

            // chown -1 keeps that half; a chown drops set-user-ID, as on ext4 (the sticky bit of a directory stays).
            Assert.Equal(0, TestLibC.Chown(mount.PathOf("own/file"), uint.MaxValue, 42));
            await AssertStatAsync(mount, "own/file", "640 1234:42");
        }

        await using (VolumeTestMount again = await VolumeTestMount.StartAsync(_cluster))
        {
            await AssertStatAsync(again, "own/file", "640 1234:42");
            await AssertStatAsync(again, "own/dir", "1700 4321:8765");
        }
    }

    [Fact]
    public async Task A_write_by_an_unprivileged_owner_drops_set_user_id_and_set_group_id_as_the_kernel_does()
    {
        // Appending opens write-only, which bypasses the kernel's page cache: the kernel then leaves clearing the
        // bits to the filesystem (FUSE_WRITE_KILL_SUIDGID) instead of doing it itself.
        const uint nobody = 65534;
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            Directory.CreateDirectory(mount.PathOf("setid"));
            foreach ((string name, UnixFileMode mode, uint group) in new[] { ("both", (UnixFileMode)0xDFD, nobody), ("no-group-exec", (UnixFileMode)0xDF5, nobody), ("other-group", (UnixFileMode)0xDF5, 0U), ("root", (UnixFileMode)0xDFD, nobody) })
            {
                string path = mount.PathOf("setid/" + name);
                await File.WriteAllTextAsync(path, "seed", TestContext.Current.CancellationToken);
                Assert.Equal(0, TestLibC.Chown(path, nobody, group));
                File.SetUnixFileMode(path, mode); // 6775 and 6765
            }

            foreach (string name in new[] { "both", "no-group-exec", "other-group" })
            {
                (int exit, _, string error) = await ExternalTool.RunAsync(
                    "setpriv", $"--reuid={nobody}", $"--regid={nobody}", "--clear-groups", "--", "sh", "-c", "printf more >> \"$0\"", mount.PathOf("setid/" + name));
                Assert.True(exit == 0, error);
            }

            // Root (CAP_FSETID) keeps both bits, as everywhere.
            await File.AppendAllTextAsync(mount.PathOf("setid/root"), "more", TestContext.Current.CancellationToken);

            await AssertStatAsync(mount, "setid/both", "775 65534:65534");
            await AssertStatAsync(mount, "setid/no-group-exec", "2765 65534:65534");
            await AssertStatAsync(mount, "setid/other-group", "765 65534:0"); // not in the file's group: set-group-ID goes too
            await AssertStatAsync(mount, "setid/root", "6775 65534:65534");
            Assert.Equal("seedmore", await File.ReadAllTextAsync(mount.PathOf("setid/both"), TestContext.Current.CancellationToken));
        }

        // The version the write made keeps the mode it left.
        await using (VolumeTestMount again = await VolumeTestMount.StartAsync(_cluster))
        {
            await AssertStatAsync(again, "setid/both", "775 65534:65534");
            await AssertStatAsync(again, "setid/no-group-exec", "2765 65534:65534");
        }
    }

    private static async Task AssertStatAsync(VolumeTestMount mount, string path, string expected)
    {
        (int exit, string output, string error) = await ExternalTool.RunAsync("stat", "-c", "%a %u:%g", mount.PathOf(path));
        Assert.True(exit == 0, error);
        Assert.Equal(expected, output.Trim());
    }

    private static int Rename(string from, string to) => TestLibC.RenameAt2(TestLibC.AtFdCwd, from, TestLibC.AtFdCwd, to, 0);

    /// <summary>open(2); a descriptor it returns is closed at once (the result is then 0).</summary>
    private static int Open(string path, int flags, uint mode)
    {
        int fd = NativeOpen(path, flags, mode);
        if (fd < 0)
        {
            return fd;
        }

        _ = NativeClose(fd);
        return 0;
    }

    private static void AssertErrno(int expected, int result)
    {
        int errno = Marshal.GetLastPInvokeError();
        Assert.True(result == -1 && errno == expected, $"expected errno {expected}, got result {result} errno {errno}");
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int NativeOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int NativeClose(int fd);
}
