using Ugloo.Engine.Objects;
using Ugloo.Engine.Storage;

namespace Ugloo.Engine.Tests.Storage;

public sealed class FragmentStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Stored_fragment_reads_back_and_survives_a_restart()
    {
        using var temp = new TempStore(directoryCount: 2);
        byte[][] fragments = Enumerable.Range(0, 20).Select(i => RandomBytes(1000 + i * 37, i)).ToArray();
        FragmentId[] ids = fragments.Select(f => FragmentId.Compute(f)).ToArray();

        FragmentStore store = temp.Open();
        for (int i = 0; i < fragments.Length; i++)
        {
            Assert.Equal(StoreOutcome.Stored, await store.StoreAsync(ids[i], fragments[i], Ct));
        }

        Assert.Equal(fragments[3], await store.ReadAllAsync(ids[3], Ct));

        FragmentStore reopened = temp.Open();
        Assert.Equal(20, reopened.Count);
        Assert.Equal(fragments.Sum(f => (long)f.Length), reopened.GetStatistics().UsedBytes);
        Assert.Equal(ids.ToHashSet(), reopened.GetFragmentIds().ToHashSet());
        for (int i = 0; i < fragments.Length; i++)
        {
            Assert.Equal(fragments[i], await reopened.ReadAllAsync(ids[i], Ct));
        }

        // Both disks were used: the emptier one takes each new fragment.
        Assert.All(reopened.GetStatistics().Directories, d => Assert.True(d.FragmentCount > 0));
        Assert.All(temp.Directories, d => Assert.True(File.Exists(Path.Combine(d, "store.json"))));
        Assert.Equal(2, reopened.GetStatistics().Directories.Select(d => d.DirectoryId).Distinct().Count());
    }

    [Fact]
    public async Task Layout_is_two_levels_of_fan_out_by_hex_id()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open();
        byte[] data = RandomBytes(100, 1);
        FragmentId id = FragmentId.Compute(data);
        await store.StoreAsync(id, data, Ct);

        string hex = id.ToString();
        Assert.True(File.Exists(Path.Combine(temp.Directories[0], "fragments", hex[..2], hex[2..4], hex)));
    }

    [Fact]
    public async Task Chunked_write_commits_the_fragment()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open();
        byte[] data = RandomBytes(3 * 16384 + 5, 2);
        FragmentId id = FragmentId.Compute(data);

        await using (FragmentWriter writer = store.BeginWrite(id, data.Length))
        {
            for (int offset = 0; offset < data.Length; offset += 16384)
            {
                await writer.AppendAsync(data.AsMemory(offset, Math.Min(16384, data.Length - offset)), Ct);
            }

            Assert.False(store.Contains(id));
            Assert.Equal(StoreOutcome.Stored, await writer.CommitAsync(Ct));
        }

        Assert.Equal(data, await store.ReadAllAsync(id, Ct));
        Assert.Empty(temp.FilesUnder("tmp"));
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, 1)]
    [InlineData(true, 4096)]
    [InlineData(true, (1 << 20) + 64)]
    [InlineData(true, (1 << 20) + 4097)]
    [InlineData(true, (2 << 20) + 64)]
    [InlineData(true, AlignedBuffer.Size)]
    [InlineData(true, AlignedBuffer.Size + 1)]
    [InlineData(true, (3 << 20) + 64)]
    [InlineData(false, (1 << 20) + 4097)]
    public async Task Direct_and_buffered_writes_store_exact_bytes_of_any_length(bool directIo, int length)
    {
        // Direct I/O writes whole 4 KiB blocks from a staging buffer of 2 MiB + 64 KiB: lengths around both
        // sizes (and the default layout's 2 MiB + 64 B fragment, the old default's 1 MiB + 64 B), fed in
        // network-sized chunks that straddle them, must come back exact, with no padding left on disk.
        using var temp = new TempStore();
        FragmentStore store = temp.Open(directIo: directIo);
        byte[] data = RandomBytes(length, length);
        FragmentId id = FragmentId.Compute(data);
        await using (FragmentWriter writer = store.BeginWrite(id, data.Length))
        {
            for (int offset = 0; offset < data.Length; offset += 700_001)
            {
                await writer.AppendAsync(data.AsMemory(offset, Math.Min(700_001, data.Length - offset)), Ct);
            }

            Assert.Equal(StoreOutcome.Stored, await writer.CommitAsync(Ct));
        }

        string hex = id.ToString();
        Assert.Equal(length, new FileInfo(Path.Combine(temp.Directories[0], "fragments", hex[..2], hex[2..4], hex)).Length);
        Assert.Equal(data, await temp.Open(directIo: directIo).ReadAllAsync(id, Ct));

        // The whole-buffer path goes through the same writer.
        byte[] other = RandomBytes(length + 1, length + 1);
        FragmentId otherId = FragmentId.Compute(other);
        Assert.Equal(StoreOutcome.Stored, await store.StoreAsync(otherId, other, Ct));
        Assert.Equal(other, await store.ReadAllAsync(otherId, Ct));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(AlignedBuffer.Size - 1)]
    [InlineData(AlignedBuffer.Size)]
    [InlineData((3 << 20) + 63)]
    public async Task A_byte_changed_anywhere_in_a_chunked_direct_write_is_refused(int changedAt)
    {
        // Direct I/O stages the bytes in a buffer of AlignedBuffer.Size and writes it out when full: a change in
        // the first buffer, on either side of its end, or in the last byte must all be caught at commit.
        using var temp = new TempStore();
        FragmentStore store = temp.Open(directIo: true);
        byte[] data = RandomBytes((3 << 20) + 64, 6);
        FragmentId id = FragmentId.Compute(data);
        data[changedAt] ^= 1;
        FragmentWriter writer = store.BeginWrite(id, data.Length);
        for (int offset = 0; offset < data.Length; offset += 65536)
        {
            await writer.AppendAsync(data.AsMemory(offset, Math.Min(65536, data.Length - offset)), Ct);
        }

        var refused = await Assert.ThrowsAsync<FragmentHashMismatchException>(() => writer.CommitAsync(Ct));
        Assert.Equal(FragmentId.Compute(data), refused.Actual);
        Assert.False(store.Contains(id));
        Assert.Empty(temp.FilesUnder("tmp"));
    }

    [Fact]
    public async Task Wrong_hash_is_refused_and_leaves_nothing_behind()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open();
        byte[] data = RandomBytes(5000, 3);
        FragmentId claimed = FragmentId.Compute(RandomBytes(5000, 4));

        var direct = await Assert.ThrowsAsync<FragmentHashMismatchException>(() => store.StoreAsync(claimed, data, Ct));
        Assert.Equal(claimed, direct.Expected);
        Assert.Equal(FragmentId.Compute(data), direct.Actual);

        FragmentWriter writer = store.BeginWrite(claimed, data.Length);
        await writer.AppendAsync(data, Ct);
        await Assert.ThrowsAsync<FragmentHashMismatchException>(() => writer.CommitAsync(Ct));

        Assert.False(store.Contains(claimed));
        Assert.Empty(temp.FilesUnder("tmp"));
        Assert.Empty(temp.FilesUnder("fragments"));
        Assert.Equal(0, store.GetStatistics().UsedBytes);
    }

    [Fact]
    public async Task Short_or_long_transfers_are_refused_and_cleaned_up()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open(capacityBytes: 10_000);
        byte[] data = RandomBytes(1000, 5);
        FragmentId id = FragmentId.Compute(data);

        FragmentWriter shortWriter = store.BeginWrite(id, data.Length);
        await shortWriter.AppendAsync(data.AsMemory(0, 999), Ct);
        await Assert.ThrowsAsync<InvalidDataException>(() => shortWriter.CommitAsync(Ct));

        FragmentWriter longWriter = store.BeginWrite(id, 999);
        await Assert.ThrowsAsync<InvalidDataException>(async () => await longWriter.AppendAsync(data, Ct));

        // An abandoned writer (peer disconnected) gives its reservation back when disposed.
        FragmentWriter abandoned = store.BeginWrite(id, data.Length);
        await abandoned.AppendAsync(data.AsMemory(0, 10), Ct);
        await abandoned.DisposeAsync();

        Assert.Empty(temp.FilesUnder("tmp"));
        Assert.Equal(10_000, store.FreeBytes);
    }

    [Fact]
    public async Task Full_store_refuses_with_a_clear_reason()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open(capacityBytes: 16L << 20);
        byte[] first = RandomBytes(4 << 20, 6);
        await store.StoreAsync(FragmentId.Compute(first), first, Ct);

        byte[] second = RandomBytes(16 << 20, 7);
        var refused = await Assert.ThrowsAsync<StoreFullException>(() => store.StoreAsync(FragmentId.Compute(second), second, Ct));
        Assert.Equal("node full: 12.0 MiB free, fragment needs 16.0 MiB", refused.Message);
        Assert.Equal(12L << 20, refused.FreeBytes);

        // Refused at BeginWrite too, before a byte is transferred.
        Assert.Throws<StoreFullException>(() => store.BeginWrite(FragmentId.Compute(second), second.Length));
        Assert.Empty(temp.FilesUnder("tmp"));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task Per_directory_limits_send_fragments_to_the_disk_with_room()
    {
        using var temp = new TempStore(directoryCount: 2);
        FragmentStore store = temp.Open(perDirectoryCapacityBytes: 2500);
        for (int i = 0; i < 4; i++)
        {
            byte[] data = RandomBytes(1200, 10 + i);
            await store.StoreAsync(FragmentId.Compute(data), data, Ct);
        }

        FragmentStoreStatistics statistics = store.GetStatistics();
        Assert.All(statistics.Directories, d => Assert.Equal(2, d.FragmentCount));
        Assert.Equal(100, statistics.FreeBytes);

        byte[] more = RandomBytes(1200, 20);
        await Assert.ThrowsAsync<StoreFullException>(() => store.StoreAsync(FragmentId.Compute(more), more, Ct));
    }

    [Fact]
    public async Task Concurrent_writes_reserve_space_before_their_bytes_arrive()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open(capacityBytes: 3000);
        byte[] a = RandomBytes(2000, 30);
        byte[] b = RandomBytes(2000, 31);

        await using FragmentWriter first = store.BeginWrite(FragmentId.Compute(a), a.Length);
        Assert.Throws<StoreFullException>(() => store.BeginWrite(FragmentId.Compute(b), b.Length));
        await first.AppendAsync(a, Ct);
        Assert.Equal(StoreOutcome.Stored, await first.CommitAsync(Ct));
    }

    [Fact]
    public async Task Storing_a_held_fragment_again_is_a_no_op()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open();
        byte[] data = RandomBytes(2048, 8);
        FragmentId id = FragmentId.Compute(data);

        Assert.Equal(StoreOutcome.Stored, await store.StoreAsync(id, data, Ct));
        Assert.Equal(StoreOutcome.AlreadyPresent, await store.StoreAsync(id, data, Ct));

        await using FragmentWriter writer = store.BeginWrite(id, data.Length);
        await writer.AppendAsync(data, Ct);
        Assert.Equal(StoreOutcome.AlreadyPresent, await writer.CommitAsync(Ct));

        Assert.Equal(1, store.Count);
        Assert.Equal(2048, store.GetStatistics().UsedBytes);
        Assert.Single(temp.FilesUnder("fragments"));
    }

    [Fact]
    public async Task Concurrent_stores_of_the_same_id_keep_one_copy()
    {
        using var temp = new TempStore(directoryCount: 2);
        FragmentStore store = temp.Open();
        byte[] data = RandomBytes(256 * 1024, 9);
        FragmentId id = FragmentId.Compute(data);

        StoreOutcome[] outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => store.StoreAsync(id, data, Ct), Ct)));

        Assert.Equal(1, outcomes.Count(o => o == StoreOutcome.Stored));
        Assert.Single(temp.FilesUnder("fragments"));
        Assert.Empty(temp.FilesUnder("tmp"));
        Assert.Equal(data.Length, store.GetStatistics().UsedBytes);
        Assert.Equal(data, await store.ReadAllAsync(id, Ct));
    }

    [Fact]
    public async Task Concurrent_stores_and_reads_of_different_ids_all_land()
    {
        using var temp = new TempStore(directoryCount: 3);
        FragmentStore store = temp.Open();
        byte[][] fragments = Enumerable.Range(0, 64).Select(i => RandomBytes(4096 + i, 100 + i)).ToArray();

        await Task.WhenAll(fragments.Select(f => Task.Run(
            async () =>
            {
                FragmentId id = FragmentId.Compute(f);
                await store.StoreAsync(id, f, Ct);
                Assert.Equal(f, await store.ReadAllAsync(id, Ct));
            },
            Ct)));

        Assert.Equal(64, temp.Open().Count);
    }

    [Fact]
    public async Task Open_deletes_unfinished_writes_of_a_crashed_run()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open();
        byte[] data = RandomBytes(10_000, 11);
        FragmentId id = FragmentId.Compute(data);

        // A writer that never commits is what a crash leaves: a partial temp file, nothing visible.
        FragmentWriter writer = store.BeginWrite(id, data.Length);
        await writer.AppendAsync(data.AsMemory(0, 5000), Ct);
        Assert.Single(temp.FilesUnder("tmp"));
        Assert.False(store.Contains(id));

        FragmentStore restarted = temp.Open();
        Assert.Empty(temp.FilesUnder("tmp"));
        Assert.False(restarted.Contains(id));
        Assert.Equal(0, restarted.GetStatistics().UsedBytes);
    }

    [Fact]
    public async Task Corrupt_fragment_is_detected_quarantined_and_never_served()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open();
        byte[] data = RandomBytes(50_000, 12);
        FragmentId id = FragmentId.Compute(data);
        await store.StoreAsync(id, data, Ct);
        FlipOneBit(temp.FilesUnder("fragments").Single(), 31_337);

        byte[] buffer = new byte[data.Length];
        FragmentReadResult result = await store.ReadAsync(id, buffer, Ct);

        Assert.Equal(FragmentReadStatus.Quarantined, result.Status);
        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.False(store.Contains(id));
        Assert.Equal(FragmentReadStatus.NotFound, (await store.ReadAsync(id, buffer, Ct)).Status);
        Assert.Empty(temp.FilesUnder("fragments"));
        Assert.Single(temp.FilesUnder("quarantine"));
        Assert.Equal(1, store.GetStatistics().QuarantinedCount);
        Assert.Equal(0, store.GetStatistics().UsedBytes);

        // The node can take a good copy again (repair), and the quarantine survives a restart.
        Assert.Equal(StoreOutcome.Stored, await store.StoreAsync(id, data, Ct));
        Assert.Equal(1, temp.Open().GetStatistics().QuarantinedCount);
    }

    [Fact]
    public async Task Scrub_verification_finds_corruption_and_truncation()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open();
        byte[] good = RandomBytes(3 << 20, 13);
        byte[] flipped = RandomBytes(100_000, 14);
        byte[] truncated = RandomBytes(100_000, 15);
        foreach (byte[] f in new[] { good, flipped, truncated })
        {
            await store.StoreAsync(FragmentId.Compute(f), f, Ct);
        }

        FlipOneBit(PathOf(temp, FragmentId.Compute(flipped)), 99_999);
        using (FileStream file = File.OpenWrite(PathOf(temp, FragmentId.Compute(truncated))))
        {
            file.SetLength(50_000);
        }

        Assert.Equal(FragmentReadStatus.Ok, await store.VerifyAsync(FragmentId.Compute(good), Ct));
        Assert.Equal(FragmentReadStatus.Quarantined, await store.VerifyAsync(FragmentId.Compute(flipped), Ct));
        Assert.Equal(FragmentReadStatus.Quarantined, await store.VerifyAsync(FragmentId.Compute(truncated), Ct));
        Assert.Equal(FragmentReadStatus.NotFound, await store.VerifyAsync(FragmentId.Compute(flipped), Ct));
        Assert.Equal(1, store.Count);
        Assert.Equal(2, temp.FilesUnder("quarantine").Count());
    }

    [Fact]
    public async Task Range_reads_return_the_requested_blocks()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open();
        byte[] data = RandomBytes(5 * 16384 + 100, 16);
        FragmentId id = FragmentId.Compute(data);
        await store.StoreAsync(id, data, Ct);

        using FragmentReader reader = store.TryOpenRead(id)!;
        Assert.Equal(data.Length, reader.Length);
        byte[] block = new byte[16384];
        Assert.Equal(16384, await reader.ReadAsync(2 * 16384, block, Ct));
        Assert.Equal(data.AsSpan(2 * 16384, 16384).ToArray(), block);
        Assert.Equal(100, await reader.ReadAsync(5 * 16384, block, Ct));
        Assert.Equal(data.AsSpan(5 * 16384).ToArray(), block.AsSpan(0, 100).ToArray());

        FragmentReadResult tail = await store.ReadAsync(id, data.Length - 10, new byte[64], Ct);
        Assert.Equal(new FragmentReadResult(FragmentReadStatus.Ok, 10), tail);
        Assert.Null(store.TryOpenRead(FragmentId.Compute(block)));
    }

    [Fact]
    public async Task Delete_removes_the_fragment_and_frees_its_space()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open(capacityBytes: 10_000);
        byte[] data = RandomBytes(4000, 17);
        FragmentId id = FragmentId.Compute(data);
        await store.StoreAsync(id, data, Ct);
        Assert.Equal(6000, store.FreeBytes);

        Assert.True(await store.DeleteAsync(id, Ct));
        Assert.False(await store.DeleteAsync(id, Ct));
        Assert.False(store.Contains(id));
        Assert.Equal(10_000, store.FreeBytes);
        Assert.Empty(temp.FilesUnder("fragments"));
        Assert.Equal(0, temp.Open().Count);
    }

    [Fact]
    public async Task A_fragment_deleted_behind_the_stores_back_reads_as_not_found()
    {
        using var temp = new TempStore();
        FragmentStore store = temp.Open();
        byte[] data = RandomBytes(100, 18);
        FragmentId id = FragmentId.Compute(data);
        await store.StoreAsync(id, data, Ct);
        File.Delete(temp.FilesUnder("fragments").Single());

        Assert.Equal(FragmentReadStatus.NotFound, (await store.ReadAsync(id, new byte[100], Ct)).Status);
        Assert.False(store.Contains(id));
    }

    [Fact]
    public void Same_disk_listed_twice_is_refused()
    {
        using var temp = new TempStore();
        temp.Open();
        var options = new FragmentStoreOptions().AddDirectory(temp.Directories[0]).AddDirectory(temp.Directories[0] + "/.");
        var e = Assert.Throws<InvalidOperationException>(() => FragmentStore.Open(options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Ct));
        Assert.Contains("same store", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stray_files_in_the_fragment_tree_are_not_served()
    {
        using var temp = new TempStore();
        temp.Open();
        byte[] data = RandomBytes(100, 19);
        FragmentId id = FragmentId.Compute(data);
        string hex = id.ToString();

        // Right name, wrong leaf: serving it would break name = location.
        string wrongLeaf = Path.Combine(temp.Directories[0], "fragments", "00", "00");
        Directory.CreateDirectory(wrongLeaf);
        await File.WriteAllBytesAsync(Path.Combine(wrongLeaf, hex), data, Ct);

        FragmentStore store = temp.Open();
        Assert.False(store.Contains(id));
        Assert.Single(temp.FilesUnder("quarantine"));
    }

    private static string PathOf(TempStore temp, FragmentId id) =>
        temp.FilesUnder("fragments").Single(f => f.EndsWith(id.ToString(), StringComparison.Ordinal));

    private static void FlipOneBit(string path, long offset)
    {
        using FileStream file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        int b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x10));
    }
}
