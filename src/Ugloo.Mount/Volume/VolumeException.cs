namespace Ugloo.Mount.Volume;

/// <summary>
/// A command could not do what was asked, for a reason the user can act on (no volume, no cluster, no
/// such file, too few nodes): printed as one line, exit code 1.
/// </summary>
internal sealed class VolumeException : Exception
{
    public VolumeException(string message)
        : base(message)
    {
    }

    public VolumeException()
    {
    }

    public VolumeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
