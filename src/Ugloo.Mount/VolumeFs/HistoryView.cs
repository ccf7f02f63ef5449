namespace Ugloo.Mount.VolumeFs;

/// <summary>What a node of the read-only history tree under <c>/.ugloo</c> shows.</summary>
internal enum HistoryViewKind
{
    /// <summary><c>/.ugloo</c>: holds <c>history</c> and <c>at</c>.</summary>
    Root,

    /// <summary><c>/.ugloo/history/DIR</c>: every name that ever existed in DIR.</summary>
    HistoryDirectory,

    /// <summary><c>/.ugloo/history/FILE</c>: a directory with one entry per version of FILE.</summary>
    HistoryFile,

    /// <summary><c>/.ugloo/history/FILE/TIME_vID</c>: one version, read-only.</summary>
    HistoryVersion,

    /// <summary><c>/.ugloo/at</c>: any UTC time looked up below it is the tree at that instant.</summary>
    AtRoot,

    /// <summary><c>/.ugloo/at/TIME/DIR</c>.</summary>
    AtDirectory,

    /// <summary><c>/.ugloo/at/TIME/FILE</c>: the version that was newest then.</summary>
    AtFile,
}

/// <summary>A history node: its kind, the volume path it shows, and the instant (for <c>at</c>).</summary>
internal sealed record HistoryView(HistoryViewKind Kind, string Path, DateTimeOffset At = default)
{
    public bool IsDirectory => Kind is not (HistoryViewKind.HistoryVersion or HistoryViewKind.AtFile);

    /// <summary>Unique per view: the key of the session's node table for views.</summary>
    public string Key(long versionId) =>
        $"{(int)Kind}|{At.ToUnixTimeMilliseconds()}|{versionId}|{Path}";
}
