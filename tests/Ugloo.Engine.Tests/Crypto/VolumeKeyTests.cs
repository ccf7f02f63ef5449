using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Tests.Crypto;

public sealed class VolumeKeyTests
{
    [Fact]
    public void Wrapping_round_trips_and_uses_a_fresh_nonce_each_time()
    {
        using var volumeKey = VolumeKey.Generate();
        using ObjectKey key = ObjectKey.Generate();
        var id = ObjectId.New();

        WrappedObjectKey first = volumeKey.Wrap(id, key);
        WrappedObjectKey second = volumeKey.Wrap(id, key);
        Assert.NotEqual(first.Serialize(), second.Serialize());

        using ObjectKey back = volumeKey.Unwrap(id, second);
        Assert.True(key.Bytes.SequenceEqual(back.Bytes));
    }

    [Fact]
    public void A_tampered_wrapped_key_fails_authentication()
    {
        using var volumeKey = VolumeKey.Generate();
        using ObjectKey key = ObjectKey.Generate();
        var id = ObjectId.New();
        byte[] bytes = volumeKey.Wrap(id, key).Serialize();
        bytes[20] ^= 1;

        var e = Assert.Throws<AuthenticationFailedException>(() => volumeKey.Unwrap(id, WrappedObjectKey.Deserialize(bytes)));
        Assert.Contains(id.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subkeys_differ_by_purpose_and_from_the_volume_key()
    {
        using var volumeKey = VolumeKey.Generate();
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        volumeKey.DeriveSubkey("ugloo v1 catalog signing", a);
        volumeKey.DeriveSubkey("ugloo v1 catalog sealing", b);

        Assert.NotEqual(a, b);
        Assert.False(a.AsSpan().SequenceEqual(volumeKey.Bytes));
    }

    [Fact]
    public void A_disposed_key_is_wiped_and_unusable()
    {
        var volumeKey = VolumeKey.Generate();
        volumeKey.Dispose();
        using ObjectKey key = ObjectKey.Generate();

        Assert.Throws<ObjectDisposedException>(() => volumeKey.Wrap(ObjectId.New(), key));

        var objectKey = ObjectKey.Generate();
        objectKey.Dispose();
        Assert.Throws<ObjectDisposedException>(() => objectKey.Bytes.ToArray());
        Assert.False(objectKey.CanSeal);
    }
}
