using System.Text;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Objects;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.Tests.Fuse;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// DESIGN.md: "Small files must not cost n fragments each: pack them." Small files queued together in the
/// write-back journal are stored as one object; each is a version that is its range of it, read, changed,
/// moved and fetched like any other file.
/// </summary>
[Collection(ClusterTestGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class VolumePackTests : IClassFixture<SmallSegmentCluster>, IDisposable
{
    private readonly RunningCluster _cluster;
    private readonly TestFiles _files = new();

    public VolumePackTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    [Fact]
    public async Task A_backlog_of_small_files_is_stored_as_one_object_and_every_file_reads_changes_and_moves_like_any_other()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;

        // The journal a stopped daemon left: 150 small files (some empty, some whose bytes only their rows kept)
        // and one too big to pack, all queued, so the first uploader to start finds the whole backlog at once.
        var expected = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var random = new Random(91);
        string staging = Path.Combine(_cluster.DataDirectory, "staging");
        Directory.CreateDirectory(staging);
        using (VolumeCatalog catalog = VolumeCatalog.Open(Path.Combine(_cluster.DataDirectory, "catalog.db")))
        {
            var attributes = new CatalogAttributes(0x1A4, 0, 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000);
            for (int i = 0; i <= 150; i++)
            {
                int size = i == 150 ? 200 * 1024 : i % 7 == 0 ? 0 : random.Next(1, 100 * 1024);
                byte[] content = TestFiles.RandomBytes(size, seed: 1000 + i);
                string name = $"f{i:D3}";
                string file = Path.Combine(staging, Guid.NewGuid().ToString("N"));
                if (i % 10 == 3 && size > 0)
                {
                    // A small file's row holds its bytes and its staged copy is never fsynced: a power cut may
                    // leave the copy gone or short, and the replay writes it again from the row.
                    catalog.AddPending("/pack/" + name, file, size, attributes, DateTimeOffset.UtcNow, content);
                    if (i % 20 == 3)
                    {
                        await File.WriteAllBytesAsync(file, content.AsMemory(0, size / 2), ct);
                    }
                }
                else
                {
                    await File.WriteAllBytesAsync(file, content, ct);
                    catalog.AddPending("/pack/" + name, file, size, attributes, DateTimeOffset.UtcNow);
                }

                expected[name] = content;
            }
        }

        string straddler;
        long storedBefore = await StoredBytesAsync(ct);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster, new SegmentCacheOptions { MaxBytes = 0 }))
        {
            await mount.SettleAsync();
            foreach ((string name, byte[] content) in expected)
            {
                Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("pack/" + name), ct));
            }

            Assert.StartsWith("durable: all 6 fragments", ReadXattr(mount.PathOf("pack/f001"), "user.ugloo.state"));
        }

        using (VolumeCatalog catalog = VolumeCatalog.Open(Path.Combine(_cluster.DataDirectory, "catalog.db")))
        {
            Dictionary<string, CatalogVersion> latest = catalog.List("/pack").ToDictionary(e => e.Name, e => e.Latest!);
            Assert.Equal(expected.Count, latest.Count);
            Assert.False(latest["f150"].IsPacked);
            CatalogVersion[] packed = [.. latest.Values.Where(v => v.IsPacked)];
            Assert.Equal(150, packed.Length);
            Assert.Single(packed.Select(v => ObjectManifest.Deserialize(v.Manifest).ObjectId).Distinct());
            Assert.Equal(packed.Sum(v => v.Size), ObjectManifest.Deserialize(packed[0].Manifest).PlaintextSize);

            // A file whose bytes cross a segment boundary of the pack: changing it copies it down in two pieces.
            straddler = latest.First(e => e.Key is not ("f001" or "f002" or "f007" or "f099" or "f149") && e.Value.IsPacked
                && e.Value.ContentOffset / SmallSegmentCluster.SegmentSize != (e.Value.ContentOffset + e.Value.Size - 1) / SmallSegmentCluster.SegmentSize).Key;

            // `ugloo status` counts the pack once, not once per file.
            long added = ObjectManifest.Deserialize(packed[0].Manifest).StoredSize + ObjectManifest.Deserialize(latest["f150"].Manifest).StoredSize;
            Assert.Equal(storedBefore + added, await StoredBytesAsync(ct));
        }

        byte[] patch = Encoding.ASCII.GetBytes("patched in place");
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster, new SegmentCacheOptions { MaxBytes = 0 }))
        {
            // Every file again, fetched from the nodes by a fresh mount with no segment cache.
            foreach ((string name, byte[] content) in expected)
            {
                Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("pack/" + name), ct));
            }

            // A change in place of a packed file, an append to an empty one, then the directory moved.
            await using (var file = new FileStream(mount.PathOf("pack/f001"), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.None))
            {
                file.Position = 5;
                await file.WriteAsync(patch, ct);
            }

            await using (var file = new FileStream(mount.PathOf("pack/" + straddler), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.None))
            {
                file.Position = 5;
                await file.WriteAsync(patch, ct);
            }

            await File.AppendAllTextAsync(mount.PathOf("pack/f007"), "now has bytes", ct);
            await mount.SettleAsync();
            Directory.Move(mount.PathOf("pack"), mount.PathOf("moved"));
        }

        byte[] changed = (byte[])expected["f001"].Clone();
        patch.CopyTo(changed, 5);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster, new SegmentCacheOptions { MaxBytes = 0 }))
        {
            Assert.Equal(changed, await File.ReadAllBytesAsync(mount.PathOf("moved/f001"), ct));
            Assert.Equal("now has bytes", await File.ReadAllTextAsync(mount.PathOf("moved/f007"), ct));
            byte[] straddlerChanged = (byte[])expected[straddler].Clone();
            patch.CopyTo(straddlerChanged, 5);
            Assert.Equal(straddlerChanged, await File.ReadAllBytesAsync(mount.PathOf("moved/" + straddler), ct));
            foreach (string name in new[] { "f002", "f099", "f149", "f150" })
            {
                Assert.Equal(expected[name], await File.ReadAllBytesAsync(mount.PathOf("moved/" + name), ct));
            }

            // History keeps the packed original whole beside the change.
            string[] versions = [.. Directory.GetFiles(mount.PathOf(".ugloo/history/pack/f001")).Order(StringComparer.Ordinal)];
            Assert.Equal(2, versions.Length);
            Assert.Equal(expected["f001"], await File.ReadAllBytesAsync(versions[0], ct));
            Assert.Equal(changed, await File.ReadAllBytesAsync(versions[1], ct));
        }

        // The CLI reads a packed file's range too.
        string local = _files.PathOf("f099.out");
        Assert.Equal(0, (await _cluster.RunAsync(ct, "get", "/moved/f099", local)).ExitCode);
        Assert.Equal(expected["f099"], await File.ReadAllBytesAsync(local, ct));
    }

    [Fact]
    public async Task Small_files_closed_in_a_burst_overwritten_and_unlinked_keep_exactly_what_was_closed()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var expected = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var overwritten = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            Directory.CreateDirectory(mount.PathOf("burst"));
            for (int i = 0; i < 120; i++)
            {
                string name = $"b{i:D3}";
                byte[] first = TestFiles.RandomBytes(100 + (i * 37), seed: 2000 + i);
                await File.WriteAllBytesAsync(mount.PathOf("burst/" + name), first, ct);
                expected[name] = first;
                if (i % 5 == 0)
                {
                    // Closed again at once: both closes are versions, in order.
                    byte[] second = TestFiles.RandomBytes(50 + i, seed: 3000 + i);
                    await File.WriteAllBytesAsync(mount.PathOf("burst/" + name), second, ct);
                    overwritten[name] = first;
                    expected[name] = second;
                }

                if (i % 3 == 1)
                {
                    File.Delete(mount.PathOf("burst/" + name));
                    expected.Remove(name);
                }
            }

            await mount.SettleAsync();
        }

        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster, new SegmentCacheOptions { MaxBytes = 0 }))
        {
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), Directory.GetFiles(mount.PathOf("burst")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            foreach ((string name, byte[] content) in expected)
            {
                Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("burst/" + name), ct));
            }

            foreach ((string name, byte[] first) in overwritten)
            {
                string[] versions = [.. Directory.GetFiles(mount.PathOf($".ugloo/history/burst/{name}")).Order(StringComparer.Ordinal)];
                Assert.True(versions.Length >= 2, $"{name} has {versions.Length} versions in history");
                Assert.Equal(first, await File.ReadAllBytesAsync(versions[0], ct));
            }
        }
    }

    public void Dispose() => _files.Dispose();

    private async Task<long> StoredBytesAsync(CancellationToken ct)
    {
        (int exit, string json, string stderr) = await _cluster.RunAsync(ct, "status", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("volume").GetProperty("stored_bytes").GetInt64();
    }

    private static string ReadXattr(string path, string name)
    {
        byte[] buffer = new byte[256];
        nint length = TestLibC.GetXattr(path, name, buffer, (nuint)buffer.Length);
        Assert.True(length >= 0, $"getxattr {name} on {path} failed");
        return Encoding.UTF8.GetString(buffer, 0, (int)length);
    }
}
