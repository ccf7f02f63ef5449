namespace Ugloo.Engine.Storage;

/// <summary>What a read or a verification found.</summary>
public enum FragmentReadStatus
{
    /// <summary>The fragment is here (and, for verified reads, hashes to its id).</summary>
    Ok,

    /// <summary>This node does not hold the fragment.</summary>
    NotFound,

    /// <summary>The fragment was here but failed its check; it is now in quarantine and no longer held.</summary>
    Quarantined,
}

/// <summary>Outcome of a read into a caller's buffer; <see cref="BytesRead"/> is 0 unless <see cref="Status"/> is Ok.</summary>
public readonly record struct FragmentReadResult(FragmentReadStatus Status, int BytesRead);

/// <summary>Outcome of a successful store.</summary>
public enum StoreOutcome
{
    /// <summary>The fragment was written, fsynced and is durable.</summary>
    Stored,

    /// <summary>The node already held the fragment; nothing was written.</summary>
    AlreadyPresent,
}
