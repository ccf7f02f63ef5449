namespace Ugloo.Engine.Protocol.Bencode;

/// <summary>
/// A decoded bencode value (BEP 3, "bencoding"). The model is deliberately small: byte strings stay
/// bytes (BEP 3 strings are octet strings, not text), integers are <see cref="long"/>, and dictionaries
/// keep their keys sorted by raw bytes so that encoding is canonical.
/// </summary>
internal abstract class BValue
{
    private protected BValue()
    {
    }
}
