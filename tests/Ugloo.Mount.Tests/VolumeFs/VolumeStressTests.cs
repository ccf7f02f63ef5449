using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.Tests.Fuse;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// fio with checksummed verification and stress-ng's file system stressors on the mounted volume: what is
/// written is read back bit for bit, sequentially and at random offsets, with the kernel's page cache in play
/// (<c>--direct=0</c>) and an fsync at the end (so the last part goes through the swarm, not only staging).
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class VolumeStressTests : IClassFixture<SmallSegmentCluster>
{
    private readonly RunningCluster _cluster;

    public VolumeStressTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    [Theory]
    [InlineData("write", "1M", "64M")]
    [InlineData("write", "4k", "16M")]
    [InlineData("randwrite", "4k", "16M")]
    [InlineData("randwrite", "1M", "32M")]
    public async Task Fio_writes_then_verifies_crc32c_on_the_mount(string pattern, string blockSize, string size)
    {
        string relative;
        byte[] written;
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            string directory = mount.PathOf($"fio-{pattern}-{blockSize}");
            Directory.CreateDirectory(directory);
            (int exit, string output, string error) = await ExternalTool.RunAsync(
                "fio", "--name=verify", $"--directory={directory}", $"--rw={pattern}", $"--bs={blockSize}", $"--size={size}",
                "--ioengine=psync", "--direct=0", "--end_fsync=1", "--verify=crc32c", "--verify_fatal=1", "--do_verify=1");
            Assert.True(exit == 0, $"fio failed ({exit}):\n{output}\n{error}");
            string file = Assert.Single(Directory.GetFiles(directory));
            relative = Path.GetRelativePath(mount.Root, file);
            written = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
            await mount.SettleAsync();
        }

        // What fio verified through the kernel's cache is also what the swarm holds: read it back after a remount.
        await using VolumeTestMount again = await VolumeTestMount.StartAsync(_cluster);
        Assert.Equal(written, await File.ReadAllBytesAsync(again.PathOf(relative), TestContext.Current.CancellationToken));
    }

    /// <remarks>
    /// The stressors that fit the volume's model. Left out: link, symlink-heavy dirdeep (hard links answer
    /// EPERM: a version belongs to one path), mknod (device nodes EPERM), and those that need mmap-shared
    /// writes or locks the core does not offer (mmap, flock, lockf).
    /// </remarks>
    [Fact]
    public async Task Stress_ng_file_system_stressors_run_clean_on_the_mount()
    {
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        string directory = mount.PathOf("stress");
        Directory.CreateDirectory(directory);
        (int exit, string output, string error) = await ExternalTool.RunAsync(
            "stress-ng", "--temp-path", directory, "--timeout", "10s", "--verify", "--metrics-brief",
            "--hdd", "1", "--hdd-bytes", "8M",
            "--dir", "1", "--rename", "1", "--dentry", "1", "--fstat", "1", "--seek", "1", "--seek-size", "8M",
            "--chmod", "1", "--utime", "1", "--open", "1", "--xattr", "1");
        Assert.True(exit == 0, $"stress-ng failed ({exit}):\n{output}\n{error}");
    }
}
