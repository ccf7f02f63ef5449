namespace Ugloo.Engine.Cluster;

/// <summary>A node's 32-byte id: SHA-256 of its Ed25519 public key. Shown as lower-case hex.</summary>
public sealed class NodeId : IEquatable<NodeId>
{
    public const int Size = 32;

    private readonly byte[] _bytes;

    public NodeId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A node id is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public static NodeId Parse(string hex) => new(Convert.FromHexString(hex));

    /// <summary>The first 12 hex digits: enough to tell nodes apart in listings.</summary>
    public string ShortHex => ToString()[..12];

    public override string ToString() => Convert.ToHexStringLower(_bytes);

    public bool Equals(NodeId? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as NodeId);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);
}
