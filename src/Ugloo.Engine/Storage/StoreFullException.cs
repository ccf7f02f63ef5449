namespace Ugloo.Engine.Storage;

/// <summary>
/// The node cannot take the fragment: its capacity limit or its disks are full. Nothing was kept; the
/// sender places the fragment elsewhere (DESIGN.md invariant 6).
/// </summary>
public sealed class StoreFullException : IOException
{
    public StoreFullException(long freeBytes, long requiredBytes)
        : base($"node full: {ByteSize.Format(freeBytes)} free, fragment needs {ByteSize.Format(requiredBytes)}")
    {
        FreeBytes = freeBytes;
        RequiredBytes = requiredBytes;
    }

    public StoreFullException(long freeBytes, long requiredBytes, string message, Exception? innerException)
        : base(message, innerException)
    {
        FreeBytes = freeBytes;
        RequiredBytes = requiredBytes;
    }

    public StoreFullException()
    {
    }

    public StoreFullException(string message)
        : base(message)
    {
    }

    public StoreFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Bytes the store could still take when it refused (0 when a disk ran out mid-write).</summary>
    public long FreeBytes { get; }

    /// <summary>Length of the refused fragment.</summary>
    public long RequiredBytes { get; }
}
