namespace Ugloo.Engine.Swarm;

/// <summary>A node answered a request with an error code (<c>full</c>, <c>bad_hash</c>, <c>not_found</c>, …).</summary>
public sealed class PeerRequestException : IOException
{
    public PeerRequestException(string address, string code, string reason)
        : base($"node {address} refused: {code}: {reason}")
    {
        Address = address;
        Code = code;
        Reason = reason;
    }

    public PeerRequestException()
    {
        Address = Code = Reason = "";
    }

    public PeerRequestException(string message)
        : base(message)
    {
        Address = Code = Reason = "";
    }

    public PeerRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Address = Code = Reason = "";
    }

    public string Address { get; }

    /// <summary>One of <see cref="Protocol.UglooErrorCodes"/>.</summary>
    public string Code { get; }

    public string Reason { get; }
}
