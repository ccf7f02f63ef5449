using Ugloo.Engine.Catalog;
using Ugloo.Engine.Objects;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// Issue 4: "A version is a list of segment references: changing 1 MiB of a 10 GiB file uploads about one
/// segment, not the file." Scaled down to 64 KiB segments: a change in place stores the segments it touches
/// and nothing is copied down from the nodes but the segments a write covers in part.
/// </summary>
[Collection(ClusterTestGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class VolumeRevisionTests : IClassFixture<SmallSegmentCluster>
{
    private const int Segment = SmallSegmentCluster.SegmentSize;

    private readonly RunningCluster _cluster;

    public VolumeRevisionTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    [Fact]
    public async Task Changing_a_few_bytes_of_a_large_file_stores_one_segment_and_every_version_reads_back()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] original = TestFiles.RandomBytes((40 * Segment) + 1234, seed: 71);
        byte[] changed = (byte[])original.Clone();
        byte[] patch = TestFiles.RandomBytes(5000, seed: 72);
        patch.CopyTo(changed, (17 * Segment) + 100);

        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster, new SegmentCacheOptions { MaxBytes = 0 }))
        {
            await File.WriteAllBytesAsync(mount.PathOf("big.bin"), original, ct);
            await mount.SettleAsync();

            long misses = mount.Segments.Misses;
            await using (var file = new FileStream(mount.PathOf("big.bin"), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.None))
            {
                file.Position = (17 * Segment) + 100;
                await file.WriteAsync(patch, ct);
            }

            await mount.SettleAsync();

            // One segment fetched (the write covers it in part), not the 41 of the file.
            Assert.Equal(1, mount.Segments.Misses - misses);
        }

        (ObjectManifest first, ObjectManifest second) = LastTwo("big.bin");
        Assert.Equal(first.ObjectId, second.ObjectId);
        int[] rewritten = [.. Enumerable.Range(0, second.SegmentCount).Where(s => !second.GetFragmentIds(s).SequenceEqual(first.GetFragmentIds(s)))];
        Assert.Equal([17], rewritten);

        // A fresh mount reads the new version from the nodes, and history keeps the old one whole.
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster, new SegmentCacheOptions { MaxBytes = 0 }))
        {
            Assert.Equal(changed, await File.ReadAllBytesAsync(mount.PathOf("big.bin"), ct));
            string[] versions = [.. Directory.GetFiles(mount.PathOf(".ugloo/history/big.bin")).Order(StringComparer.Ordinal)];
            Assert.Equal(2, versions.Length);
            Assert.Equal(original, await File.ReadAllBytesAsync(versions[0], ct));
            Assert.Equal(changed, await File.ReadAllBytesAsync(versions[1], ct));
        }
    }

    [Fact]
    public async Task Appending_truncating_and_rewriting_in_place_keep_the_content_exact()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes((6 * Segment) + 500, seed: 73);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            string path = mount.PathOf("edit.bin");
            await File.WriteAllBytesAsync(path, content, ct);
            await mount.SettleAsync();

            // Append: the old tail segment grows, a new one follows.
            byte[] tail = TestFiles.RandomBytes(Segment, seed: 74);
            await using (var file = new FileStream(path, FileMode.Append, FileAccess.Write))
            {
                await file.WriteAsync(tail, ct);
            }

            content = [.. content, .. tail];
            await mount.SettleAsync();
            Assert.Equal(content, await File.ReadAllBytesAsync(path, ct));

            // Truncate to a segment boundary (segment 2 becomes the last one), then to the middle of segment 1.
            foreach (long length in new long[] { 3 * Segment, Segment + 7 })
            {
                await using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
                {
                    file.SetLength(length);
                }

                content = content[..(int)length];
                await mount.SettleAsync();
                Assert.Equal(content, await File.ReadAllBytesAsync(path, ct));
            }

            // Extend past the end with a hole, write across a segment boundary, then fsync (stored at once).
            await using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
            {
                file.SetLength(4 * Segment);
                file.Position = (2 * Segment) - 10;
                await file.WriteAsync(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 }, ct);
                file.Flush(flushToDisk: true);

                // After the fsync the copy builds on the version it stored: a second change in the same open.
                file.Position = 5;
                file.WriteByte(0xEE);
            }

            byte[] expected = new byte[4 * Segment];
            content.CopyTo(expected, 0);
            for (int i = 0; i < 20; i++)
            {
                expected[(2 * Segment) - 10 + i] = (byte)(i + 1);
            }

            expected[5] = 0xEE;
            await mount.SettleAsync();
            Assert.Equal(expected, await File.ReadAllBytesAsync(path, ct));
        }

        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            byte[] stored = await File.ReadAllBytesAsync(mount.PathOf("edit.bin"), ct);
            Assert.Equal(4 * Segment, stored.Length);
            Assert.Equal(0xEE, stored[5]);
            Assert.Equal(20, stored[(2 * Segment) + 9]);
            Assert.All(stored[(2 * Segment + 10)..], b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public async Task A_file_reopened_while_its_last_change_is_queued_builds_on_that_change()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes(8 * Segment, seed: 75);
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        string path = mount.PathOf("twice.bin");
        await File.WriteAllBytesAsync(path, content, ct);
        await mount.SettleAsync();

        // Two quick changes to different segments: the second open finds the first still queued (or just stored).
        for (int round = 0; round < 2; round++)
        {
            await using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
            {
                file.Position = (round * 5 * Segment) + 3;
                file.WriteByte((byte)(0xA0 + round));
            }

            content[(round * 5 * Segment) + 3] = (byte)(0xA0 + round);
        }

        Assert.Equal(content, await File.ReadAllBytesAsync(path, ct));
        await mount.SettleAsync();
        (ObjectManifest _, ObjectManifest last) = LastTwo("twice.bin");
        Assert.Equal(8, last.SegmentCount);
        Assert.Equal(content, await File.ReadAllBytesAsync(path, ct));
    }

    [Fact]
    public async Task A_file_written_front_to_back_sends_finished_segments_before_its_close_and_a_later_change_voids_them()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes((20 * Segment) + 77, seed: 76);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            // One segment per write(2), front to back, then a change in segment 2 after it was sent.
            await using (var file = new FileStream(mount.PathOf("copy.bin"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                for (int offset = 0; offset < content.Length; offset += Segment)
                {
                    await file.WriteAsync(content.AsMemory(offset, Math.Min(Segment, content.Length - offset)), ct);
                }

                file.Position = (2 * Segment) + 5;
                file.WriteByte(0x42);
                content[(2 * Segment) + 5] = 0x42;
            }

            await mount.SettleAsync();
        }

        using (VolumeCatalog catalog = VolumeCatalog.Open(Path.Combine(_cluster.DataDirectory, "catalog.db")))
        {
            ObjectManifest manifest = ObjectManifest.Deserialize(catalog.GetVersions("copy.bin")[^1].Manifest);

            // Segments sent ahead each carry their own generation; the ones written at the close share one.
            ulong atClose = manifest.GetGeneration(manifest.SegmentCount - 1);
            Assert.NotEqual(atClose, manifest.GetGeneration(0));
            Assert.Equal(atClose, manifest.GetGeneration(2));
        }

        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster, new SegmentCacheOptions { MaxBytes = 0 }))
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("copy.bin"), ct));
        }
    }

    [Theory]
    [InlineData(77)]
    [InlineData(3)]
    [InlineData(11)]
    [InlineData(101)]
    [InlineData(202)]
    [InlineData(303)]
    [InlineData(404)]
    [InlineData(505)]
    public async Task Random_writes_truncates_and_appends_across_reopens_match_a_model(int seed)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var random = new Random(seed);
        var model = new List<byte>(TestFiles.RandomBytes((5 * Segment) + 321, seed: 78));
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            string path = mount.PathOf($"model-{seed}.bin");
            await File.WriteAllBytesAsync(path, model.ToArray(), ct);
            for (int round = 0; round < 12; round++)
            {
                if (round % 4 == 3)
                {
                    await mount.SettleAsync(); // sometimes the next open finds the last close stored, sometimes queued
                }

                await using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1))
                {
                    for (int op = 0; op < 4; op++)
                    {
                        switch (random.Next(5))
                        {
                            case 0: // truncate, shorter or longer, sometimes onto a segment boundary, sometimes to nothing
                                int length = random.Next(3) switch
                                {
                                    0 => random.Next(1, 7) * Segment,
                                    1 => random.Next(0, 7 * Segment),
                                    _ => random.Next(2) == 0 ? 0 : random.Next(0, Segment),
                                };
                                file.SetLength(length);
                                if (length < model.Count)
                                {
                                    model.RemoveRange(length, model.Count - length);
                                }
                                else
                                {
                                    model.AddRange(new byte[length - model.Count]);
                                }

                                break;
                            case 1: // append
                                byte[] tail = TestFiles.RandomBytes(random.Next(1, 2 * Segment), seed: random.Next());
                                file.Position = model.Count;
                                await file.WriteAsync(tail, ct);
                                model.AddRange(tail);
                                break;
                            case 2: // fsync: stored now, and the open copy builds on it
                                file.Flush(flushToDisk: true);
                                break;
                            default: // overwrite somewhere, possibly past the end (a hole)
                                int offset = random.Next(0, model.Count + Segment);
                                byte[] data = TestFiles.RandomBytes(random.Next(1, 3 * Segment / 2), seed: random.Next());
                                file.Position = offset;
                                await file.WriteAsync(data, ct);
                                if (offset > model.Count)
                                {
                                    model.AddRange(new byte[offset - model.Count]);
                                }

                                for (int i = 0; i < data.Length; i++)
                                {
                                    if (offset + i < model.Count)
                                    {
                                        model[offset + i] = data[i];
                                    }
                                    else
                                    {
                                        model.Add(data[i]);
                                    }
                                }

                                break;
                        }
                    }

                    // Read back through the open handle too (the staged copy and the segments it shares).
                    file.Position = 0;
                    byte[] seen = new byte[model.Count];
                    await file.ReadExactlyAsync(seen, ct);
                    Assert.True(model.SequenceEqual(seen), $"round {round}: the open file differs from the model");
                }

                Assert.True(model.SequenceEqual(await File.ReadAllBytesAsync(path, ct)), $"round {round}: the closed file differs from the model");
            }

            await mount.SettleAsync();
        }

        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster, new SegmentCacheOptions { MaxBytes = 0 }))
        {
            Assert.True(model.SequenceEqual(await File.ReadAllBytesAsync(mount.PathOf($"model-{seed}.bin"), ct)), "after a remount the file differs from the model");
        }
    }

    [Fact]
    public async Task A_change_in_place_queued_when_the_daemon_is_killed_is_stored_exactly_after_the_restart()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes(64 * Segment, seed: 79);
        string local = Path.Combine(Path.GetTempPath(), $"ugloo-replay-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(local, content, ct);
        try
        {
            (int putExit, _, string putErr) = await _cluster.RunAsync(ct, "put", local, "/replay.bin");
            Assert.True(putExit == 0, putErr);
        }
        finally
        {
            File.Delete(local);
        }

        using (MountProcess daemon = await MountProcess.StartAsync(_cluster.DataDirectory, ct))
        {
            // Every other segment changed in part: the queued copy is sparse, sharing the rest with the stored version.
            await using (var file = new FileStream(daemon.PathOf("replay.bin"), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1))
            {
                for (int s = 0; s < 64; s += 2)
                {
                    file.Position = (s * Segment) + 7;
                    file.WriteByte((byte)s);
                    content[(s * Segment) + 7] = (byte)s;
                }
            }

            Signal.Send(daemon.Process.Id, Signal.Kill);
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30), ct);
        }

        using (VolumeCatalog catalog = VolumeCatalog.Open(Path.Combine(_cluster.DataDirectory, "catalog.db")))
        {
            PendingCommit queued = Assert.Single(catalog.GetPending(), p => p.Path == "/replay.bin");
            Assert.True(File.Exists(queued.StagedFile + ".base"), "the queued copy has no base record");
        }

        // The restarted daemon replays the journal; 'ugloo unmount' returns once it is empty.
        using (MountProcess daemon = await MountProcess.StartAsync(_cluster.DataDirectory, ct))
        {
            (int exit, _, string error) = await UglooProcess.RunAsync(["unmount", daemon.Root], ct);
            Assert.True(exit == 0, error);
            Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(120), ct));
        }

        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster, new SegmentCacheOptions { MaxBytes = 0 }))
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("replay.bin"), ct));
        }

        (ObjectManifest first, ObjectManifest second) = LastTwo("replay.bin");
        Assert.Equal(32, Enumerable.Range(0, 64).Count(s => second.GetFragmentIds(s).SequenceEqual(first.GetFragmentIds(s))));
    }

    private (ObjectManifest Previous, ObjectManifest Last) LastTwo(string path)
    {
        using VolumeCatalog catalog = VolumeCatalog.Open(Path.Combine(_cluster.DataDirectory, "catalog.db"));
        IReadOnlyList<CatalogVersion> versions = catalog.GetVersions(path);
        Assert.True(versions.Count >= 2, $"{path} has {versions.Count} versions");
        return (ObjectManifest.Deserialize(versions[^2].Manifest), ObjectManifest.Deserialize(versions[^1].Manifest));
    }
}
