namespace Ugloo.Engine.Objects;

/// <summary>A fetched fragment did not hash to its id and was discarded (DESIGN.md invariant 2).</summary>
public sealed class FragmentRejectedEventArgs : EventArgs
{
    public FragmentRejectedEventArgs(ObjectId objectId, FragmentAddress address, FragmentId expected, FragmentId actual)
    {
        ObjectId = objectId;
        Address = address;
        Expected = expected;
        Actual = actual;
    }

    public ObjectId ObjectId { get; }

    public FragmentAddress Address { get; }

    /// <summary>The id the manifest lists.</summary>
    public FragmentId Expected { get; }

    /// <summary>The id (BLAKE3-256) of the bytes the source delivered.</summary>
    public FragmentId Actual { get; }
}
