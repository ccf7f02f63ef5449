namespace Ugloo.Engine.Protocol;

/// <summary>
/// Machine-readable error codes in the "err" field of ugloo_store_result, ugloo_fetch_data and
/// ugloo_manifest. Receivers must treat an unknown code as a generic failure (newer peers may add
/// codes); a human-readable "reason" goes with each.
/// </summary>
internal static class UglooErrorCodes
{
    /// <summary>The node has no room for the fragment; the client places it elsewhere.</summary>
    public const string Full = "full";

    /// <summary>The stored bytes do not hash to the fragment id (DESIGN.md invariant 2).</summary>
    public const string BadHash = "bad_hash";

    /// <summary>The connection has not passed ugloo_auth.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>A total or requested length beyond the node's limits.</summary>
    public const string TooLarge = "too_large";

    /// <summary>Inconsistent fields, e.g. a chunk that does not continue the previous one.</summary>
    public const string BadRequest = "bad_request";

    public const string NotFound = "not_found";

    /// <summary>The node holds the fragment but scrub found it corrupt; it will not serve it.</summary>
    public const string Quarantined = "quarantined";

    /// <summary>The node is overloaded; retry later or elsewhere.</summary>
    public const string Busy = "busy";
}
