namespace Ugloo.Engine.Protocol;

/// <summary>
/// The peer broke the DeepTorrent wire protocol: malformed, oversized or unexpected input. The
/// caller closes that one connection (DESIGN.md invariant 6); nothing else is affected.
/// </summary>
internal sealed class PeerProtocolException : Exception
{
    public PeerProtocolException(string message)
        : base(message)
    {
    }

    public PeerProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
