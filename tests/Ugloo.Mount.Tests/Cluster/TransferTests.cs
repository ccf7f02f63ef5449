using System.Text.Json;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;

namespace Ugloo.Mount.Tests.Cluster;

/// <summary>put, get, ls and status through the real CLI against a running six-node cluster.</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class TransferTests : IClassFixture<SmallSegmentCluster>, IDisposable
{
    private const int Segment = SmallSegmentCluster.SegmentSize;

    private readonly RunningCluster _cluster;
    private readonly TestFiles _files = new();

    public TransferTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    public static TheoryData<int> Sizes => [0, 1, Segment - 1, Segment, Segment + 1, (5 * Segment) + 4321];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Put_then_get_returns_the_same_bytes(int size)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes(size, seed: size);
        string local = _files.Write($"in-{size}", content);
        string path = $"/sizes/file-{size}.bin";

        (int putExit, string putOut, string putErr) = await _cluster.RunAsync(ct, "put", local, path);
        Assert.True(putExit == 0, $"put failed ({putExit}): {putErr}\n{putOut}");
        Assert.Contains($"Stored {path}", putOut);

        string copy = _files.PathOf($"out-{size}");
        (int getExit, _, string getErr) = await _cluster.RunAsync(ct, "get", path, copy);
        Assert.True(getExit == 0, $"get failed ({getExit}): {getErr}");
        Assert.Equal(content, File.ReadAllBytes(copy));
        Assert.DoesNotContain("warning", getErr);
    }

    [Fact]
    public async Task Put_from_stdin_and_get_to_stdout_round_trip()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes((3 * Segment) + 17, seed: 7);

        using (var stdin = new MemoryStream(content))
        {
            (int putExit, string putErr) = await _cluster.RunWithStreamsAsync(stdin, Stream.Null, ct, "put", "-", "/pipes/stdin.bin");
            Assert.True(putExit == 0, putErr);
        }

        using var stdout = new MemoryStream();
        (int getExit, string getErr) = await _cluster.RunWithStreamsAsync(null, stdout, ct, "get", "/pipes/stdin.bin", "-");
        Assert.True(getExit == 0, getErr);
        Assert.Equal(content, stdout.ToArray());
    }

    [Fact]
    public async Task Ls_shows_size_and_version_count_and_get_returns_the_newest_version()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] first = TestFiles.RandomBytes(1000, seed: 1);
        byte[] second = TestFiles.RandomBytes(Segment + 5, seed: 2);
        Assert.Equal(0, (await _cluster.RunAsync(ct, "put", _files.Write("v1", first), "/ls/dir/doc.txt")).ExitCode);
        Assert.Equal(0, (await _cluster.RunAsync(ct, "put", _files.Write("v2", second), "/ls/dir/doc.txt")).ExitCode);
        Assert.Equal(0, (await _cluster.RunAsync(ct, "put", _files.Write("other", first), "/ls/top.txt")).ExitCode);

        (int exit, string stdout, string stderr) = await _cluster.RunAsync(ct, "ls", "--bytes", "/ls/dir");
        Assert.True(exit == 0, stderr);
        string line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        string[] columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal((Segment + 5).ToString(System.Globalization.CultureInfo.InvariantCulture), columns[0]);
        Assert.Equal("2", columns[3]);
        Assert.Equal("doc.txt", columns[4]);

        (_, string parent, _) = await _cluster.RunAsync(ct, "ls", "/ls");
        Assert.Contains("dir/", parent);
        Assert.Contains("top.txt", parent);

        string copy = _files.PathOf("newest");
        Assert.Equal(0, (await _cluster.RunAsync(ct, "get", "/ls/dir/doc.txt", copy)).ExitCode);
        Assert.Equal(second, File.ReadAllBytes(copy));
    }

    [Fact]
    public async Task Get_of_a_missing_path_fails_clearly_and_writes_nothing()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string target = _files.PathOf("never");
        (int exit, _, string stderr) = await _cluster.RunAsync(ct, "get", "/no/such/file", target);
        Assert.Equal(1, exit);
        Assert.Contains("No such file in the volume: /no/such/file", stderr);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(_files.Directory));

        (int lsExit, _, string lsErr) = await _cluster.RunAsync(ct, "ls", "/no/such");
        Assert.Equal(1, lsExit);
        Assert.Contains("No such file or directory", lsErr);
    }

    [Fact]
    public async Task Status_json_lists_every_node_up_and_the_volume_tolerance()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.Equal(0, (await _cluster.RunAsync(ct, "put", _files.Write("s", [1, 2, 3]), "/status/s")).ExitCode);

        (int exit, string stdout, string stderr) = await _cluster.RunAsync(ct, "status", "--json");
        Assert.True(exit == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement nodes = doc.RootElement.GetProperty("nodes");
        Assert.Equal(6, nodes.GetArrayLength());
        var ids = new HashSet<string>();
        foreach (JsonElement node in nodes.EnumerateArray())
        {
            Assert.Equal("up", node.GetProperty("state").GetString());
            Assert.StartsWith("127.0.0.1:", node.GetProperty("address").GetString(), StringComparison.Ordinal);
            Assert.Equal(64, node.GetProperty("id").GetString()!.Length);
            Assert.False(string.IsNullOrEmpty(node.GetProperty("site").GetString()));
            Assert.True(node.GetProperty("capacity_bytes").GetInt64() > 0);
            Assert.True(node.GetProperty("free_bytes").GetInt64() >= 0);
            JsonElement health = node.GetProperty("health");
            Assert.True(health.GetProperty("fragments").GetInt64() >= 1);
            Assert.Equal(0, health.GetProperty("scrub_errors").GetInt64());
            Assert.True(health.TryGetProperty("repair_queue", out _));
            ids.Add(node.GetProperty("id").GetString()!);
        }

        Assert.Equal(6, ids.Count);
        JsonElement volume = doc.RootElement.GetProperty("volume");
        Assert.Equal(0, volume.GetProperty("repair_queue_nodes").GetInt64());
        Assert.Equal(4, volume.GetProperty("k").GetInt32());
        Assert.Equal(2, volume.GetProperty("m").GetInt32());
        Assert.Equal(2, volume.GetProperty("tolerates_node_losses").GetInt32());
        Assert.Equal(2, volume.GetProperty("required_node_losses").GetInt32());
        Assert.True(volume.GetProperty("files").GetInt64() >= 1);
        Assert.True(volume.GetProperty("bytes").GetInt64() >= 3);

        (_, string text, _) = await _cluster.RunAsync(ct, "status");
        Assert.Contains("6 of 6 up", text);
        Assert.Contains("can lose any 2 nodes", text);
    }

    [Fact]
    public async Task A_corrupt_fragment_on_a_node_is_survived_and_reported()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes((2 * Segment) + 99, seed: 11);
        Assert.Equal(0, (await _cluster.RunAsync(ct, "put", _files.Write("c", content), "/corrupt/c.bin")).ExitCode);

        // The reader fetches data fragments first, so damage data fragment 0 of segment 0 where a node keeps it.
        FragmentId id;
        using (VolumeCatalog catalog = VolumeCatalog.Open(Path.Combine(_cluster.DataDirectory, "catalog.db")))
        {
            CatalogVersion version = catalog.GetLatest("/corrupt/c.bin")!;
            id = ObjectManifest.Deserialize(version.Manifest).GetFragmentId(0, 0);
        }

        string file = Assert.Single(Directory.GetFiles(Path.Combine(_cluster.DataDirectory, "nodes"), id.ToString(), SearchOption.AllDirectories));
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = stream.Length / 2;
            int b = stream.ReadByte();
            stream.Position = stream.Length / 2;
            stream.WriteByte((byte)(b ^ 0xFF));
        }

        string copy = _files.PathOf("c-out");
        (int exit, _, string stderr) = await _cluster.RunAsync(ct, "get", "/corrupt/c.bin", copy);
        Assert.True(exit == 0, stderr);
        Assert.Equal(content, File.ReadAllBytes(copy));
        Assert.Contains("warning", stderr);
    }

    [Fact]
    public async Task Get_with_another_volume_key_fails_clearly()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.Equal(0, (await _cluster.RunAsync(ct, "put", _files.Write("k", [9, 8, 7]), "/key/k")).ExitCode);

        // The same volume file, catalog and cluster, but someone else's volume key.
        string other = Path.Combine(_files.Directory, "other-key");
        Directory.CreateDirectory(other);
        // catalog.db-wal too: ugloo up's S3 gateway keeps the catalog open, so recent versions may sit in the WAL.
        foreach (string name in new[] { "volume.json", "catalog.db", "catalog.db-wal", "cluster.key" })
        {
            string source = Path.Combine(_cluster.DataDirectory, name);
            if (File.Exists(source))
            {
                File.Copy(source, Path.Combine(other, name));
            }
        }

        using (VolumeKey key = VolumeKey.Generate())
        {
            VolumeKeyFile.Save(Path.Combine(other, "volume.key"), key);
        }

        string target = _files.PathOf("k-out");
        (int exit, _, string stderr) = await UglooProcess.RunAsync(["get", "/key/k", target, "--data", other], ct);
        Assert.Equal(1, exit);
        Assert.Contains("The volume key cannot open /key/k", stderr);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Commands_without_a_volume_say_how_to_create_one()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string empty = Path.Combine(_files.Directory, "no-volume");
        (int exit, _, string stderr) = await UglooProcess.RunAsync(["put", _files.Write("x", [1]), "/x", "--data", empty], ct);
        Assert.Equal(1, exit);
        Assert.Contains("No volume in", stderr);
        Assert.Contains("ugloo up", stderr);
    }

    public void Dispose() => _files.Dispose();
}
