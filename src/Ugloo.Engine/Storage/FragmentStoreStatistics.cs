namespace Ugloo.Engine.Storage;

/// <summary>A snapshot of what the store holds.</summary>
/// <param name="FragmentCount">Fragments held (quarantined ones excluded).</param>
/// <param name="UsedBytes">Sum of the held fragments' lengths.</param>
/// <param name="FreeBytes">Largest fragment the store would accept now.</param>
/// <param name="QuarantinedCount">Files sitting in the quarantine folders.</param>
/// <param name="Directories">The same figures per data directory.</param>
public sealed record FragmentStoreStatistics(
    int FragmentCount,
    long UsedBytes,
    long FreeBytes,
    int QuarantinedCount,
    IReadOnlyList<DataDirectoryStatistics> Directories);

/// <summary>Figures of one data directory.</summary>
/// <param name="Path">The directory.</param>
/// <param name="DirectoryId">The random id in its store.json (tells disks apart when mount points move).</param>
/// <param name="FragmentCount">Fragments held in it.</param>
/// <param name="UsedBytes">Sum of their lengths.</param>
/// <param name="CapacityBytes">Its own limit, if one is set.</param>
/// <param name="FreeBytes">What it would accept now: the smaller of its limit's headroom and its disk's free space less the reserve.</param>
/// <param name="QuarantinedCount">Files in its quarantine folder.</param>
public sealed record DataDirectoryStatistics(
    string Path,
    string DirectoryId,
    int FragmentCount,
    long UsedBytes,
    long? CapacityBytes,
    long FreeBytes,
    int QuarantinedCount);
