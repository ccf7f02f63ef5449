using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Storage;

/// <summary>
/// One data directory (a disk) of the store. Layout:
/// <code>
/// store.json                     format version and random directory id (<see cref="StoreMarker"/>)
/// fragments/ab/cd/abcd…(64 hex)  one file per fragment; two levels of 256-way fan-out keep every
///                                directory small (a million fragments: about 15 files per leaf)
/// tmp/                           in-flight writes; emptied at open, so a crash never exposes a partial file
/// quarantine/                    fragments that failed their hash check, kept for inspection
/// </code>
/// The counters are guarded by the store's accounting lock.
/// </summary>
internal sealed class DataDirectory
{
    public DataDirectory(int index, string root, long? capacityBytes, string directoryId)
    {
        Index = index;
        Root = root;
        CapacityBytes = capacityBytes;
        DirectoryId = directoryId;
        FragmentsPath = Path.Combine(root, "fragments");
        TempPath = Path.Combine(root, "tmp");
        QuarantinePath = Path.Combine(root, "quarantine");
    }

    public int Index { get; }

    public string Root { get; }

    public long? CapacityBytes { get; }

    public string DirectoryId { get; }

    public string FragmentsPath { get; }

    public string TempPath { get; }

    public string QuarantinePath { get; }

    public long UsedBytes { get; set; }

    /// <summary>Bytes promised to writes in flight; they count as used until committed or aborted.</summary>
    public long ReservedBytes { get; set; }

    public int FragmentCount { get; set; }

    public int QuarantinedCount { get; set; }

    /// <summary>The leaf directory that holds the fragment with this hex id: fragments/ab/cd for an id starting abcd.</summary>
    public string LeafPath(string hex) => Path.Combine(FragmentsPath, hex[..2], hex[2..4]);

    public string FragmentPath(FragmentId id)
    {
        string hex = id.ToString();
        return Path.Combine(LeafPath(hex), hex);
    }

    /// <summary>Free bytes on this directory's filesystem, as the OS reports them (statvfs on Unix).</summary>
    public long AvailableDiskBytes() => new DriveInfo(Root).AvailableFreeSpace;
}
