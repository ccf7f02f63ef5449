using System.Text;

namespace Ugloo.Engine.Protocol.Bencode;

/// <summary>A bencoded byte string, <c>&lt;length&gt;:&lt;bytes&gt;</c> (BEP 3).</summary>
internal sealed class BString : BValue
{
    private readonly byte[] _bytes;

    public BString(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _bytes = bytes;
    }

    /// <summary>UTF-8 text as a byte string (keys and text fields of our messages are UTF-8).</summary>
    public BString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _bytes = Encoding.UTF8.GetBytes(text);
    }

    public ReadOnlyMemory<byte> Memory => _bytes;

    public ReadOnlySpan<byte> Span => _bytes;

    public int Length => _bytes.Length;

    /// <summary>Decodes the bytes as UTF-8; invalid sequences become U+FFFD rather than throwing.</summary>
    public string ToUtf8String() => Encoding.UTF8.GetString(_bytes);

    public override string ToString() => ToUtf8String();
}
