namespace Ugloo.Engine.Swarm;

/// <summary>A segment could not be stored durably enough: too few nodes took its fragments.</summary>
public sealed class DurabilityException : IOException
{
    public DurabilityException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public DurabilityException()
    {
    }

    public DurabilityException(string message)
        : base(message)
    {
    }
}
