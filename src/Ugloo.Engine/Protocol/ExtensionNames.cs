namespace Ugloo.Engine.Protocol;

/// <summary>
/// Names of the DeepTorrent extension messages as they appear in the BEP 10 handshake's "m"
/// dictionary, and the extended ids a DeepTorrent peer assigns to them locally. BEP 10 lets each side
/// choose its own ids; ours are fixed so traces read the same on every node, but senders always use
/// the ids the <em>peer</em> announced.
/// </summary>
internal static class ExtensionNames
{
    public const string Auth = "ugloo_auth";
    public const string Store = "ugloo_store";
    public const string StoreResult = "ugloo_store_result";
    public const string Fetch = "ugloo_fetch";
    public const string FetchData = "ugloo_fetch_data";
    public const string Have = "ugloo_have";
    public const string Pex = "ugloo_pex";
    public const string Manifest = "ugloo_manifest";
    public const string Status = "ugloo_status";
    public const string RootPut = "ugloo_root_put";
    public const string RootGet = "ugloo_root_get";

    /// <summary>Our local extended ids (the values of our "m"). 0 is reserved for the handshake.</summary>
    public static IReadOnlyDictionary<string, byte> LocalIds { get; } = new Dictionary<string, byte>(StringComparer.Ordinal)
    {
        [Auth] = 1,
        [Store] = 2,
        [StoreResult] = 3,
        [Fetch] = 4,
        [FetchData] = 5,
        [Have] = 6,
        [Pex] = 7,
        [Manifest] = 8,
        [Status] = 10,

        // Catalog root pointers; ids from 16 leave room for the storage messages that come next.
        [RootPut] = 16,
        [RootGet] = 17,
    };
}
