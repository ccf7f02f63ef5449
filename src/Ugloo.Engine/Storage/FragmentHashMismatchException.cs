using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Storage;

/// <summary>
/// The bytes sent for a fragment do not hash to its id (DESIGN.md invariant 2): the sender is broken or
/// malicious. Nothing was kept.
/// </summary>
public sealed class FragmentHashMismatchException : IOException
{
    public FragmentHashMismatchException(FragmentId expected, FragmentId actual)
        : base($"Fragment bytes hash to {actual}, not to the announced id {expected}; refused.")
    {
        Expected = expected;
        Actual = actual;
    }

    public FragmentHashMismatchException()
    {
    }

    public FragmentHashMismatchException(string message)
        : base(message)
    {
    }

    public FragmentHashMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FragmentId Expected { get; }

    public FragmentId Actual { get; }
}
