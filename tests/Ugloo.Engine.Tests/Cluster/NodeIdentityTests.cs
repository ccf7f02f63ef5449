using System.Text;
using Ugloo.Engine.Cluster;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Placement;

namespace Ugloo.Engine.Tests.Cluster;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeIdentityTests
{
    [Fact]
    public void A_node_keeps_its_identity_across_restarts()
    {
        using var dir = new TempDirectory();
        MemberId first;
        using (NodeIdentity created = NodeIdentity.LoadOrCreate(dir.Path))
        {
            first = created.NodeId;
        }

        using NodeIdentity reloaded = NodeIdentity.LoadOrCreate(dir.Path);
        Assert.Equal(first, reloaded.NodeId);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Combine(NodeIdentity.FileName)));
    }

    [Fact]
    public void Peer_id_carries_the_client_tag_and_the_node_id()
    {
        using var dir = new TempDirectory();
        using NodeIdentity identity = NodeIdentity.LoadOrCreate(dir.Path);
        Assert.Equal(20, identity.PeerId.Length);
        Assert.Equal("-UG0001-", Encoding.ASCII.GetString(identity.PeerId, 0, 8));
        Assert.StartsWith(Convert.ToHexStringLower(identity.PeerId[8..]), identity.NodeId.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Signatures_verify_only_with_the_signers_key()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        using NodeIdentity alice = NodeIdentity.LoadOrCreate(a.Path);
        using NodeIdentity bob = NodeIdentity.LoadOrCreate(b.Path);
        byte[] message = "hello"u8.ToArray();
        byte[] signature = alice.Sign(message);
        Assert.True(NodeIdentity.Verify(alice.PublicKey, message, signature));
        Assert.False(NodeIdentity.Verify(bob.PublicKey, message, signature));
        Assert.False(NodeIdentity.Verify(alice.PublicKey, "hellO"u8, signature));
    }

    [Fact]
    public void A_world_readable_identity_is_refused()
    {
        using var dir = new TempDirectory();
        NodeIdentity.LoadOrCreate(dir.Path).Dispose();
        File.SetUnixFileMode(dir.Combine(NodeIdentity.FileName), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        KeyFileException ex = Assert.Throws<KeyFileException>(() => NodeIdentity.LoadOrCreate(dir.Path));
        Assert.Contains("chmod 600", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_key_round_trips_and_is_never_overwritten()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("cluster.key");
        byte[] key = ClusterKey.Create(path);
        Assert.Equal(key, ClusterKey.Load(path));
        Assert.Throws<IOException>(() => ClusterKey.Create(path));
        Assert.Equal(key, ClusterKey.Load(path));
    }

    [Fact]
    public void A_damaged_cluster_key_says_what_is_expected()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("cluster.key");
        OwnerOnlyFile.CreateNew(path, "not hex at all"u8);
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => ClusterKey.Load(path));
        Assert.Contains("64 hex digits", ex.Message, StringComparison.Ordinal);
    }
}
