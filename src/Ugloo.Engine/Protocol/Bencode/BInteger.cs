namespace Ugloo.Engine.Protocol.Bencode;

/// <summary>A bencoded integer, <c>i&lt;decimal&gt;e</c> (BEP 3), limited to the range of <see cref="long"/>.</summary>
internal sealed class BInteger : BValue
{
    public BInteger(long value)
    {
        Value = value;
    }

    public long Value { get; }

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
