namespace Ugloo.Engine.Protocol.Bencode;

/// <summary>
/// Limits of the strict decoder. Peer input is hostile; each limit bounds memory or stack that a
/// single message can make us spend.
/// </summary>
internal sealed record BencodeOptions
{
    /// <summary>The defaults used for peer messages.</summary>
    public static BencodeOptions Default { get; } = new();

    /// <summary>
    /// Maximum nesting of lists and dictionaries (default 32). The decoder is recursive, so this bounds
    /// stack use; our messages nest at most 3 deep.
    /// </summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Maximum length of one byte string in bytes (default 1 MiB + 64 KiB).</summary>
    public int MaxStringLength { get; init; } = (1 << 20) + (64 << 10);

    /// <summary>
    /// Maximum number of values (strings, integers, lists, dictionaries, keys included) in one input
    /// (default 100 000); bounds the object count an attacker can make us allocate.
    /// </summary>
    public int MaxItems { get; init; } = 100_000;

    /// <summary>Maximum input length in bytes (default 2 MiB).</summary>
    public int MaxInputLength { get; init; } = 2 << 20;
}
