using System.Buffers;

namespace Ugloo.Engine.Protocol.Bencode;

/// <summary>
/// Canonical bencode encoder (BEP 3). Dictionaries are already sorted by raw key bytes
/// (<see cref="BDictionary"/> keeps them so), so the output is the single form the strict
/// <see cref="BencodeDecoder"/> accepts.
/// </summary>
internal static class BencodeEncoder
{
    // "i" + 20 digits of long.MinValue with its sign + "e".
    private const int MaxIntegerLength = 22;

    public static byte[] Encode(BValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Encode(BValue value, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(writer);
        switch (value)
        {
            case BInteger integer:
                WriteInteger(writer, integer.Value);
                break;
            case BString s:
                WriteString(writer, s.Span);
                break;
            case BList list:
                WriteByte(writer, (byte)'l');
                foreach (BValue item in list.Items)
                {
                    Encode(item, writer);
                }

                WriteByte(writer, (byte)'e');
                break;
            case BDictionary dictionary:
                WriteByte(writer, (byte)'d');
                foreach (KeyValuePair<byte[], BValue> entry in dictionary.Entries)
                {
                    WriteString(writer, entry.Key);
                    Encode(entry.Value, writer);
                }

                WriteByte(writer, (byte)'e');
                break;
            default:
                throw new ArgumentException($"Unknown bencode value type {value.GetType()}.", nameof(value));
        }
    }

    /// <summary>Writes <c>i&lt;decimal&gt;e</c>.</summary>
    public static void WriteInteger(IBufferWriter<byte> writer, long value)
    {
        Span<byte> span = writer.GetSpan(MaxIntegerLength);
        span[0] = (byte)'i';
        value.TryFormat(span[1..], out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        span[1 + written] = (byte)'e';
        writer.Advance(written + 2);
    }

    /// <summary>Writes <c>&lt;length&gt;:&lt;bytes&gt;</c>.</summary>
    public static void WriteString(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        Span<byte> span = writer.GetSpan(12);
        bytes.Length.TryFormat(span, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        span[written] = (byte)':';
        writer.Advance(written + 1);
        writer.Write(bytes);
    }

    private static void WriteByte(IBufferWriter<byte> writer, byte b)
    {
        writer.GetSpan(1)[0] = b;
        writer.Advance(1);
    }
}
