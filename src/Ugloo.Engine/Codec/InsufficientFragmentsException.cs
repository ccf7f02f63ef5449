namespace Ugloo.Engine.Codec;

/// <summary>Fewer than k good fragments: the data cannot be rebuilt from what was given.</summary>
public sealed class InsufficientFragmentsException : Exception
{
    public InsufficientFragmentsException(int required, int available)
        : base($"Need {required} good fragments to rebuild, have {available}: {required - available} missing.")
    {
        Required = required;
        Available = available;
    }

    public InsufficientFragmentsException(int required, int available, string message)
        : base(message)
    {
        Required = required;
        Available = available;
    }

    public InsufficientFragmentsException()
    {
    }

    public InsufficientFragmentsException(string message)
        : base(message)
    {
    }

    public InsufficientFragmentsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Required { get; }

    public int Available { get; }
}
