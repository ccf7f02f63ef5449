using Ugloo.Mount.FileSystem;
using Ugloo.Mount.Fuse;

namespace Ugloo.Mount.Tests.Fuse;

/// <summary>
/// A <see cref="MemoryFileSystem"/> (or a test subclass) mounted on a fresh temp directory. Disposing always
/// unmounts, falling back to MNT_DETACH, so a failing test cannot leave a wedged mount behind.
/// </summary>
internal sealed class TestMount : IAsyncDisposable
{
    private TestMount(string root, MemoryFileSystem fileSystem, FuseMount mount)
    {
        Root = root;
        FileSystem = fileSystem;
        Mount = mount;
    }

    public string Root { get; }

    public MemoryFileSystem FileSystem { get; }

    public FuseMount Mount { get; }

    public static async Task<TestMount> StartAsync(MemoryFileSystem? fileSystem = null, FuseMountOptions? options = null)
    {
        // The suite runs as root in CI (.ci/run): a missing prerequisite is a failure, never a skip.
        Assert.True(TestLibC.GetEuid() == 0, "FUSE mount tests need root (mount(2) of fuse needs CAP_SYS_ADMIN); run the suite as root");
        Assert.True(File.Exists("/dev/fuse"), "FUSE mount tests need /dev/fuse (modprobe fuse; in a container, --device /dev/fuse)");
        string root = Directory.CreateTempSubdirectory("ugloo-fuse-").FullName;
        fileSystem ??= new MemoryFileSystem();
        try
        {
            FuseMount mount = await FuseMount.MountAsync(root, fileSystem, options ?? new FuseMountOptions(), TestContext.Current.CancellationToken);
            return new TestMount(root, fileSystem, mount);
        }
        catch
        {
            Directory.Delete(root);
            throw;
        }
    }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public static bool IsMounted(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ') is { Length: > 4 } f && f[4] == path);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Mount.DisposeAsync();
        }
        finally
        {
            if (IsMounted(Root))
            {
                _ = TestLibC.Umount2(Root, TestLibC.MntDetach);
            }

            try
            {
                Directory.Delete(Root);
            }
            catch (IOException)
            {
                // Still busy or not empty after a failed unmount: leave it, the next run uses a new directory.
            }
        }
    }
}
