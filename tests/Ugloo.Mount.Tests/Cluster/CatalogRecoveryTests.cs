using System.Text.Json;
using Ugloo.Engine.Crypto;

namespace Ugloo.Mount.Tests.Cluster;

/// <summary>
/// Invariant 5: the catalog lives in the swarm too. A client that lost everything but its volume key and the
/// cluster key recovers from one node's address and reads every version of every file back, byte for byte.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class CatalogRecoveryTests : IDisposable
{
    private readonly TestFiles _files = new();
    private readonly List<string> _directories = [];

    [Fact]
    public async Task A_new_machine_recovers_every_version_of_every_file_from_the_volume_key_and_one_node()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RunningCluster cluster = await RunningCluster.StartAsync(6, ["--segment-size", "64K"], ct);
        string[] paths = ["/docs/a.txt", "/docs/deep/b.bin", "/c"];
        int[] sizes = [0, 1000, (3 * SmallSegmentCluster.SegmentSize) + 17];
        var written = new Dictionary<(string Path, int Version), byte[]>();
        for (int version = 1; version <= 3; version++)
        {
            for (int i = 0; i < paths.Length; i++)
            {
                byte[] content = TestFiles.RandomBytes(sizes[(i + version) % sizes.Length] + version, seed: (i * 10) + version);
                (int exit, _, string stderr) = await cluster.RunAsync(ct, "put", _files.Write($"f{i}v{version}", content), paths[i]);
                Assert.True(exit == 0, stderr);
                Assert.DoesNotContain("warning", stderr);
                written[(paths[i], version)] = content;
            }
        }

        // The "new machine" has copies of the two keys and nothing else.
        string keys = NewDirectory();
        Directory.CreateDirectory(keys);
        string volumeKey = Path.Combine(keys, "my-volume.key");
        string clusterKey = Path.Combine(keys, "my-cluster.key");
        File.Copy(Path.Combine(cluster.DataDirectory, "volume.key"), volumeKey);
        File.Copy(Path.Combine(cluster.DataDirectory, "cluster.key"), clusterKey);
        string seed = Seeds(cluster.DataDirectory)[2];
        string fresh = NewDirectory();

        (int recoverExit, string recoverOut, string recoverErr) = await UglooProcess.RunAsync(
            ["recover", "--key-file", volumeKey, "--cluster-key", clusterKey, "--peer", seed, "--data", fresh], ct);
        Assert.True(recoverExit == 0, recoverErr);
        Assert.Contains("3 file(s) with 9 version(s)", recoverOut);
        Assert.Equal(6, Seeds(fresh).Count);

        foreach (((string path, int version), byte[] content) in written)
        {
            string copy = _files.PathOf($"copy{version}{path.Replace('/', '_')}");
            (int exit, _, string stderr) = await UglooProcess.RunAsync(["get", path, copy, "--version", $"{version}", "--data", fresh], ct);
            Assert.True(exit == 0, $"get {path} --version {version} after recover: {stderr}");
            Assert.Equal(content, File.ReadAllBytes(copy));
        }

        foreach (string dir in new[] { "/", "/docs", "/docs/deep" })
        {
            (_, string before, _) = await cluster.RunAsync(ct, "ls", dir);
            (int exit, string after, string stderr) = await UglooProcess.RunAsync(["ls", dir, "--data", fresh], ct);
            Assert.True(exit == 0, stderr);
            Assert.Equal(before, after);
        }

        // The recovered client writes on, and its backups continue above the recovered sequence.
        (int putExit, _, string putErr) = await UglooProcess.RunAsync(["put", _files.Write("late", [7, 7, 7]), "/late", "--data", fresh], ct);
        Assert.True(putExit == 0, putErr);
        Assert.DoesNotContain("warning", putErr);
        string again = NewDirectory();
        (int secondExit, string secondOut, string secondErr) = await UglooProcess.RunAsync(
            ["recover", "--key-file", volumeKey, "--cluster-key", clusterKey, "--peer", seed, "--data", again], ct);
        Assert.True(secondExit == 0, secondErr);
        Assert.Contains("4 file(s) with 10 version(s)", secondOut);

        // Wiped in place (catalog and volume.json gone, the key files left where they were): recover finds the
        // cluster key in the data directory by default.
        foreach (string file in Directory.GetFiles(again).Where(f => Path.GetFileName(f).StartsWith("catalog", StringComparison.Ordinal) || f.EndsWith("volume.json", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }

        (int inPlaceExit, string inPlaceOut, string inPlaceErr) = await UglooProcess.RunAsync(
            ["recover", "--key-file", Path.Combine(again, "volume.key"), "--peer", seed, "--data", again], ct);
        Assert.True(inPlaceExit == 0, inPlaceErr);
        Assert.Contains("4 file(s) with 10 version(s)", inPlaceOut);
        (int lateExit, _, string lateErr) = await UglooProcess.RunAsync(["get", "/late", _files.PathOf("late-copy"), "--data", again], ct);
        Assert.True(lateExit == 0, lateErr);
        Assert.Equal([7, 7, 7], File.ReadAllBytes(_files.PathOf("late-copy")));

        // A data directory that holds a volume is not overwritten without --force.
        (int refuseExit, _, string refuseErr) = await UglooProcess.RunAsync(
            ["recover", "--key-file", volumeKey, "--cluster-key", clusterKey, "--peer", seed, "--data", fresh], ct);
        Assert.Equal(1, refuseExit);
        Assert.Contains("already holds a volume", refuseErr);
    }

    [Fact]
    public async Task Recover_with_a_wrong_volume_key_fails_clearly_and_writes_nothing()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RunningCluster cluster = await RunningCluster.StartAsync(3, ["--segment-size", "64K", "--code", "2,1"], ct);
        (int putExit, _, string putErr) = await cluster.RunAsync(ct, "put", _files.Write("x", [1, 2, 3]), "/x");
        Assert.True(putExit == 0, putErr);

        string keys = NewDirectory();
        string wrongKey = Path.Combine(keys, "other.key");
        using (VolumeKey other = VolumeKey.Generate())
        {
            VolumeKeyFile.Save(wrongKey, other);
        }

        string fresh = NewDirectory();
        (int exit, string stdout, string stderr) = await UglooProcess.RunAsync(
            ["recover", "--key-file", wrongKey, "--cluster-key", Path.Combine(cluster.DataDirectory, "cluster.key"), "--peer", Seeds(cluster.DataDirectory)[0], "--data", fresh], ct);
        Assert.Equal(1, exit);
        Assert.Contains("wrong key file", stderr);
        Assert.DoesNotContain("Recovered", stdout);
        Assert.False(File.Exists(Path.Combine(fresh, "volume.json")));
        Assert.False(File.Exists(Path.Combine(fresh, "catalog.db")));
    }

    public void Dispose()
    {
        _files.Dispose();
        foreach (string directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private static List<string> Seeds(string dataDirectory)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dataDirectory, "volume.json")));
        return [.. doc.RootElement.GetProperty("seeds").EnumerateArray().Select(s => s.GetString()!)];
    }

    private string NewDirectory()
    {
        string directory = RunningCluster.NewDataDirectory();
        _directories.Add(directory);
        return directory;
    }
}
