using Ugloo.Engine.Catalog.Backup;
using Ugloo.Engine.Crypto;
using Ugloo.Node.Roots;

namespace Ugloo.Node.Tests.Roots;

/// <summary>What a node keeps of a volume's catalog pointer: the newest validly signed one, across restarts.</summary>
public sealed class RootStoreTests : IDisposable
{
    private static readonly RootVolumeSettings s_settings = new(4, 2, 64 * 1024, 2);

    private readonly TempDirectory _directory = new();
    private readonly VolumeKey _volumeKey = VolumeKey.Generate();
    private readonly RootSigningKey _signing;

    public RootStoreTests()
    {
        _signing = RootSigningKey.Derive(_volumeKey);
    }

    [Fact]
    public void A_higher_sequence_replaces_the_pointer_and_a_lower_or_equal_one_is_refused_as_stale()
    {
        RootStore store = RootStore.Open(_directory.Path);
        Assert.Equal(RootPutStatus.Stored, store.Put(Pointer(5, [5])).Status);
        Assert.Equal(RootPutStatus.Stored, store.Put(Pointer(7, [7])).Status);

        RootPutOutcome older = store.Put(Pointer(6, [6]));
        Assert.Equal(RootPutStatus.Stale, older.Status);
        Assert.Equal(7, older.Sequence);
        Assert.Equal(RootPutStatus.Stale, store.Put(Pointer(7, [99])).Status);

        RootPointer held = RootPointer.Parse(store.Get(_signing.VolumeId));
        Assert.Equal(7, held.Sequence);
        Assert.Equal([7], held.Manifest);
    }

    [Fact]
    public void A_pointer_whose_signature_does_not_verify_is_refused_and_changes_nothing()
    {
        RootStore store = RootStore.Open(_directory.Path);
        Assert.Equal(RootPutStatus.Stored, store.Put(Pointer(1, [1])).Status);

        // The same record with its manifest changed after signing: a node or a man in the middle tampering.
        byte[] tampered = Pointer(2, [2]);
        int at = tampered.AsSpan().IndexOf("3:man1:"u8) + "3:man1:"u8.Length;
        tampered[at] ^= 0xFF;
        RootPutOutcome outcome = store.Put(tampered);
        Assert.Equal(RootPutStatus.Invalid, outcome.Status);
        Assert.Contains("signature", outcome.Reason);

        // Signed by another volume's key but claiming this volume's id.
        using VolumeKey otherKey = VolumeKey.Generate();
        using var other = RootSigningKey.Derive(otherKey);
        byte[] forged = RootPointer.Create(other, 3, DateTimeOffset.UtcNow, s_settings, [3], [3]).Serialize();
        _signing.VolumeId.CopyTo(forged.AsSpan(forged.AsSpan().IndexOf(other.VolumeId)));
        Assert.Equal(RootPutStatus.Invalid, store.Put(forged).Status);

        Assert.Equal(RootPutStatus.Invalid, store.Put("not a pointer"u8).Status);
        Assert.Equal(1, RootPointer.Parse(store.Get(_signing.VolumeId)).Sequence);
    }

    [Fact]
    public void Pointers_survive_a_restart_owner_only_and_the_restarted_store_still_refuses_older_ones()
    {
        RootStore first = RootStore.Open(_directory.Path);
        Assert.Equal(RootPutStatus.Stored, first.Put(Pointer(41, [4, 1])).Status);
        Assert.Equal(RootPutStatus.Stored, first.Put(Pointer(42, [4, 2])).Status);

        // A crash in the middle of a later write leaves a temporary file behind.
        File.WriteAllBytes(Path.Combine(_directory.Path, "roots", Convert.ToHexStringLower(_signing.VolumeId) + ".tmp"), [1, 2, 3]);

        RootStore restarted = RootStore.Open(_directory.Path);
        Assert.Equal(1, restarted.Count);
        RootPointer held = RootPointer.Parse(restarted.Get(_signing.VolumeId));
        Assert.Equal(42, held.Sequence);
        Assert.Equal([4, 2], held.Manifest);
        Assert.Equal(RootPutStatus.Stale, restarted.Put(Pointer(40, [4, 0])).Status);
        Assert.Single(Directory.GetFiles(Path.Combine(_directory.Path, "roots")));
        if (!OperatingSystem.IsWindows())
        {
            string file = Directory.GetFiles(Path.Combine(_directory.Path, "roots"))[0];
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void Another_volume_is_kept_apart_and_an_unknown_volume_has_no_pointer()
    {
        RootStore store = RootStore.Open(_directory.Path);
        using VolumeKey otherKey = VolumeKey.Generate();
        using var other = RootSigningKey.Derive(otherKey);
        Assert.Equal(RootPutStatus.Stored, store.Put(Pointer(9, [9])).Status);
        Assert.Equal(RootPutStatus.Stored, store.Put(RootPointer.Create(other, 1, DateTimeOffset.UtcNow, s_settings, [1], [1]).Serialize()).Status);
        Assert.Equal(9, RootPointer.Parse(store.Get(_signing.VolumeId)).Sequence);
        Assert.Equal(1, RootPointer.Parse(store.Get(other.VolumeId)).Sequence);
        Assert.Null(store.Get(new byte[32]));
    }

    public void Dispose()
    {
        _signing.Dispose();
        _volumeKey.Dispose();
        _directory.Dispose();
    }

    private byte[] Pointer(long sequence, byte[] manifest) =>
        RootPointer.Create(_signing, sequence, DateTimeOffset.UtcNow, s_settings, manifest, [0xAA, 0xBB]).Serialize();
}
