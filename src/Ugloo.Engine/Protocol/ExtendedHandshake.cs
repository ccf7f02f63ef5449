using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// The BEP 10 extended handshake (extended id 0), a bencoded dictionary:
/// <code>
/// d
///   1:m d &lt;name&gt; i&lt;id&gt;e ... e     BEP 10: extension names to the ids the sender wants to receive
///                                    them under; id 0 means "disabled"
///   1:p i&lt;port&gt;e                   BEP 10: the sender's TCP listen port (optional)
///   4:reqq i&lt;n&gt;e                   BEP 10: outstanding requests the sender queues (optional)
///   1:v &lt;client name&gt;               BEP 10: e.g. "Ugloo 0.1" (optional)
///   11:ugloo_nonce 32:&lt;random&gt;      DeepTorrent: fresh per connection, input of ugloo_auth
///   10:ugloo_node 32:&lt;node id&gt;      DeepTorrent: the sender's node id (optional; clients have none)
/// e
/// </code>
/// Keys are written sorted by raw bytes (BEP 3), so "m", "p", "reqq", "ugloo_node", "ugloo_nonce",
/// "v". Unknown keys from other clients are ignored, as BEP 10 requires.
/// </summary>
internal sealed class ExtendedHandshake
{
    public const int NonceLength = 32;

    public ExtendedHandshake(IReadOnlyDictionary<string, byte> messageIds)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        MessageIds = messageIds;
    }

    /// <summary>"m": names to the sender's ids, disabled (0) entries dropped.</summary>
    public IReadOnlyDictionary<string, byte> MessageIds { get; }

    /// <summary>"v": client name and version.</summary>
    public string? Client { get; init; }

    /// <summary>"p": TCP listen port.</summary>
    public int? ListenPort { get; init; }

    /// <summary>"reqq": request queue depth.</summary>
    public int? RequestQueue { get; init; }

    /// <summary>"ugloo_nonce": 32 random bytes for ugloo_auth.</summary>
    public byte[]? Nonce { get; init; }

    /// <summary>"ugloo_node": the sender's 32-byte node id.</summary>
    public byte[]? NodeId { get; init; }

    /// <summary>The sender's id for <paramref name="name"/>, or 0 when it does not support it.</summary>
    public byte GetId(string name) => MessageIds.TryGetValue(name, out byte id) ? id : (byte)0;

    public byte[] Encode()
    {
        var m = new BDictionary();
        foreach (KeyValuePair<string, byte> entry in MessageIds)
        {
            m.Set(entry.Key, entry.Value);
        }

        var d = new BDictionary();
        d.Set("m", m);
        if (ListenPort is int port)
        {
            d.Set("p", port);
        }

        if (RequestQueue is int reqq)
        {
            d.Set("reqq", reqq);
        }

        if (Client is not null)
        {
            d.Set("v", Client);
        }

        if (Nonce is not null)
        {
            d.Set("ugloo_nonce", Nonce);
        }

        if (NodeId is not null)
        {
            d.Set("ugloo_node", NodeId);
        }

        return BencodeEncoder.Encode(d);
    }

    /// <summary>Decodes the payload after the extended id 0.</summary>
    public static ExtendedHandshake Decode(ReadOnlyMemory<byte> payload)
    {
        BDictionary d = ExtensionCodec.DecodeHeader(payload, out int consumed);
        ExtensionCodec.RequireNoData(payload[consumed..], "Extended handshake");

        var ids = new Dictionary<string, byte>(StringComparer.Ordinal);
        if (d.TryGetValue("m", out BValue? mValue))
        {
            BDictionary m = mValue as BDictionary ?? throw new PeerProtocolException("Extended handshake \"m\" is not a dictionary.");
            foreach (KeyValuePair<byte[], BValue> entry in m.Entries)
            {
                if (entry.Value is not BInteger { Value: >= 0 and <= byte.MaxValue } id)
                {
                    throw new PeerProtocolException("Extended handshake \"m\" maps a name to something other than 0..255.");
                }

                if (id.Value != 0)
                {
                    ids[System.Text.Encoding.UTF8.GetString(entry.Key)] = (byte)id.Value;
                }
            }
        }

        return new ExtendedHandshake(ids)
        {
            Client = d.TryGetString("v", out string? v) ? v : null,
            ListenPort = d.TryGetInteger("p", out long p) && p is > 0 and <= ushort.MaxValue ? (int)p : null,
            RequestQueue = d.TryGetInteger("reqq", out long q) && q is > 0 and <= int.MaxValue ? (int)q : null,
            Nonce = d.TryGetBytes("ugloo_nonce", out ReadOnlyMemory<byte> nonce)
                ? (nonce.Length == NonceLength ? nonce.ToArray() : throw new PeerProtocolException("ugloo_nonce is not 32 bytes."))
                : null,
            NodeId = d.TryGetBytes("ugloo_node", out ReadOnlyMemory<byte> node)
                ? (node.Length == ExtensionCodec.IdLength ? node.ToArray() : throw new PeerProtocolException("ugloo_node is not 32 bytes."))
                : null,
        };
    }
}
