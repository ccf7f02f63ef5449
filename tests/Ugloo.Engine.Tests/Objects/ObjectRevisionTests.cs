using Microsoft.Win32.SafeHandles;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;
using static Ugloo.Engine.Tests.Objects.PipelineHarness;

namespace Ugloo.Engine.Tests.Objects;

/// <summary>A new version that rewrites some segments of an object and shares the rest (issue 4: "changing 1 MiB of a 10 GiB file uploads about one segment").</summary>
public sealed class ObjectRevisionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ugloo-revision-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Changing_one_segment_stores_only_that_segment_and_both_versions_read_back()
    {
        byte[] original = RandomBytes((10 * SmallSegment) + 100, 1);
        using var volumeKey = VolumeKey.Generate();
        var store = new ContentAddressedStore();
        var writer = new ObjectWriter(Options());
        ObjectWriteResult first = await writer.WriteAsync(new MemoryStream(original), store, volumeKey, TestContext.Current.CancellationToken);
        store.Clear();

        byte[] changed = (byte[])original.Clone();
        RandomBytes(200, 2).CopyTo(changed, (4 * SmallSegment) + 10);
        bool[] rewrite = new bool[11];
        rewrite[4] = true;
        using ObjectKey key = volumeKey.Unwrap(first.Manifest.ObjectId, first.WrappedKey);
        ObjectManifest second = await ReviseAsync(writer, first.Manifest, key, changed, rewrite, store);

        (int Segment, ulong Generation) stored = Assert.Single(store.StoredSegments);
        Assert.Equal(4, stored.Segment);
        Assert.NotEqual(0UL, stored.Generation);
        Assert.Equal(first.Manifest.ObjectId, second.ObjectId);
        for (int s = 0; s < second.SegmentCount; s++)
        {
            Assert.Equal(s == 4, !second.GetFragmentIds(s).SequenceEqual(first.Manifest.GetFragmentIds(s)));
            Assert.Equal(s == 4 ? stored.Generation : 0UL, second.GetGeneration(s));
        }

        // The first version's wrapped key opens the revision (same object, same key).
        Assert.Equal(changed, await ReadAsync(ObjectManifest.Deserialize(second.Serialize()), key, store));
        Assert.Equal(original, await ReadAsync(first.Manifest, key, store));
    }

    [Fact]
    public async Task Appending_rewrites_the_old_tail_and_the_new_segments_and_truncating_the_new_tail()
    {
        byte[] original = RandomBytes((3 * SmallSegment) + 500, 3);
        using var volumeKey = VolumeKey.Generate();
        var store = new ContentAddressedStore();
        var writer = new ObjectWriter(Options());
        ObjectWriteResult first = await writer.WriteAsync(new MemoryStream(original), store, volumeKey, TestContext.Current.CancellationToken);
        using ObjectKey key = volumeKey.Unwrap(first.Manifest.ObjectId, first.WrappedKey);

        byte[] appended = [.. original, .. RandomBytes(2 * SmallSegment, 4)];
        bool[] rewrite = Enumerable.Range(0, 6).Select(s => ObjectRevision.MustRewrite(first.Manifest, appended.Length, s)).ToArray();
        Assert.Equal([false, false, false, true, true, true], rewrite);
        store.Clear();
        ObjectManifest second = await ReviseAsync(writer, first.Manifest, key, appended, rewrite, store);
        Assert.Equal([3, 4, 5], store.StoredSegments.Select(s => s.Segment).Order());
        Assert.Equal(appended, await ReadAsync(second, key, store));

        // Cut to exactly two segments: segment 1 becomes the last one, so its seal must change.
        byte[] cut = appended[..(2 * SmallSegment)];
        rewrite = [.. Enumerable.Range(0, 2).Select(s => ObjectRevision.MustRewrite(second, cut.Length, s))];
        Assert.Equal([false, true], rewrite);
        ObjectManifest third = await ReviseAsync(writer, second, key, cut, rewrite, store);
        Assert.Equal(cut, await ReadAsync(third, key, store));
        Assert.Equal(appended, await ReadAsync(second, key, store));
    }

    [Fact]
    public async Task Sharing_a_segment_whose_length_or_last_flag_changed_is_refused()
    {
        byte[] original = RandomBytes((2 * SmallSegment) + 1, 5);
        using var volumeKey = VolumeKey.Generate();
        var store = new ContentAddressedStore();
        ObjectWriteResult first = await new ObjectWriter(Options()).WriteAsync(new MemoryStream(original), store, volumeKey, TestContext.Current.CancellationToken);
        using SafeFileHandle handle = File.OpenHandle(Path.Combine(_directory, "empty"), FileMode.Create, FileAccess.ReadWrite);

        // Two full segments: segment 1 was not last in the base and is last now.
        ArgumentException e = Assert.Throws<ArgumentException>(() => new ObjectRevision(first.Manifest, handle, 2 * SmallSegment, [false, false]));
        Assert.Contains("Segment 1", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ObjectRevision(first.Manifest, handle, (3 * SmallSegment) + 1, [false, false, false, true]));
    }

    [Fact]
    public async Task A_rewritten_segment_has_its_own_placement_key_and_cannot_be_swapped_for_the_old_one()
    {
        byte[] original = RandomBytes(3 * SmallSegment, 6);
        using var volumeKey = VolumeKey.Generate();
        var store = new ContentAddressedStore();
        var writer = new ObjectWriter(Options());
        ObjectWriteResult first = await writer.WriteAsync(new MemoryStream(original), store, volumeKey, TestContext.Current.CancellationToken);
        using ObjectKey key = volumeKey.Unwrap(first.Manifest.ObjectId, first.WrappedKey);
        byte[] changed = (byte[])original.Clone();
        changed[SmallSegment + 5] ^= 1;
        ObjectManifest second = await ReviseAsync(writer, first.Manifest, key, changed, [false, true, false], store);

        Assert.NotEqual(SegmentKey.Compute(first.Manifest, 1), SegmentKey.Compute(second, 1));
        Assert.Equal(SegmentKey.Compute(first.Manifest, 0), SegmentKey.Compute(second, 0));

        // A manifest that names the old segment's fragments under the new generation does not authenticate.
        byte[] bytes = second.Serialize();
        int ids = ObjectManifest.HeaderLength + (3 * 8);
        for (int f = 0; f < second.TotalFragments; f++)
        {
            first.Manifest.GetFragmentId(1, f).WriteTo(bytes.AsSpan(ids + (((1 * second.TotalFragments) + f) * FragmentId.Size)));
        }

        await Assert.ThrowsAsync<SegmentAuthenticationException>(() => ReadAsync(ObjectManifest.Deserialize(bytes), key, store));
    }

    [Fact]
    public async Task Segments_stored_ahead_are_listed_where_they_fit_and_the_rest_is_written_at_the_end()
    {
        byte[] content = RandomBytes((4 * SmallSegment) + 100, 8);
        var store = new ContentAddressedStore();
        var writer = new ObjectWriter(Options());
        var id = ObjectId.New();
        using ObjectKey key = ObjectKey.Generate();
        string path = Path.Combine(_directory, "growing");

        // While the file is 2 segments + 10 bytes long, its first two segments are finished: store them ahead.
        await File.WriteAllBytesAsync(path, content[..((2 * SmallSegment) + 10)], TestContext.Current.CancellationToken);
        IReadOnlyDictionary<int, StoredSegment> ahead;
        using (SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.Asynchronous))
        {
            ahead = await writer.StoreSegmentsAsync(ObjectRevision.Segments(id, SmallSegment, 4, 2, handle, (2 * SmallSegment) + 10, [0, 1]), key, store, TestContext.Current.CancellationToken);
        }

        Assert.Equal([0, 1], ahead.Keys.Order());
        store.Clear();
        await File.WriteAllBytesAsync(path, content, TestContext.Current.CancellationToken);
        ObjectManifest manifest;
        using (SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.Asynchronous))
        {
            var revision = ObjectRevision.FromStored(id, SmallSegment, 4, 2, handle, content.Length, ahead);
            Assert.Equal(3, revision.RewrittenCount);
            manifest = await writer.ReviseAsync(revision, key, store, TestContext.Current.CancellationToken);
        }

        Assert.Equal([2, 3, 4], store.StoredSegments.Select(s => s.Segment).Order());
        Assert.Equal(content, await ReadAsync(manifest, key, store));

        // Ending exactly after segment 1 makes it the last one: stored ahead as "not last", it is written again.
        using (SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.Asynchronous))
        {
            var cut = ObjectRevision.FromStored(id, SmallSegment, 4, 2, handle, 2 * SmallSegment, ahead);
            Assert.Equal(1, cut.RewrittenCount);
            Assert.True(cut.Rewrites(1));
            ObjectManifest short2 = await writer.ReviseAsync(cut, key, store, TestContext.Current.CancellationToken);
            Assert.Equal(content[..(2 * SmallSegment)], await ReadAsync(short2, key, store));
        }
    }

    [Fact]
    public void Manifests_without_revisions_keep_format_1_and_a_truncated_format_2_is_refused()
    {
        var id = ObjectId.New();
        FragmentId[] ids = [.. Enumerable.Range(0, 2 * 3).Select(i => FragmentId.Compute([(byte)i]))];
        var plain = new ObjectManifest(id, CipherSuite.Aes256Gcm, 2000, 1024, 2, 1, 64, ids);
        Assert.Equal(1, plain.Serialize()[4]);
        var revised = new ObjectManifest(id, CipherSuite.Aes256Gcm, 2000, 1024, 2, 1, 64, ids, [0, 42]);
        byte[] bytes = revised.Serialize();
        Assert.Equal(2, bytes[4]);
        Assert.Equal(42UL, ObjectManifest.Deserialize(bytes).GetGeneration(1));
        Assert.Throws<FormatException>(() => ObjectManifest.Deserialize(bytes.AsSpan(0, bytes.Length - 1)));
        bytes[4] = 1;
        Assert.Throws<FormatException>(() => ObjectManifest.Deserialize(bytes));
    }

    private async Task<ObjectManifest> ReviseAsync(ObjectWriter writer, ObjectManifest baseManifest, ObjectKey key, byte[] content, bool[] rewrite, ContentAddressedStore store)
    {
        string path = Path.Combine(_directory, Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(path, content, TestContext.Current.CancellationToken);
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.Asynchronous);
        return await writer.ReviseAsync(new ObjectRevision(baseManifest, handle, content.Length, rewrite), key, store, TestContext.Current.CancellationToken);
    }
}
