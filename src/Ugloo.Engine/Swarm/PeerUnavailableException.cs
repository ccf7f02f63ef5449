namespace Ugloo.Engine.Swarm;

/// <summary>A peer could not be reached, refused us, or dropped the connection.</summary>
public sealed class PeerUnavailableException : IOException
{
    public PeerUnavailableException(string address, string reason, Exception? innerException = null)
        : base($"node {address} unavailable: {reason}", innerException)
    {
        Address = address;
    }

    public PeerUnavailableException()
    {
        Address = "";
    }

    public PeerUnavailableException(string message)
        : base(message)
    {
        Address = "";
    }

    public PeerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Address = "";
    }

    public string Address { get; }
}
