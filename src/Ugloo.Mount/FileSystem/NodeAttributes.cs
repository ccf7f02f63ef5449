namespace Ugloo.Mount.FileSystem;

/// <summary>
/// What stat(2) shows of a node. <paramref name="Permissions"/> holds the twelve low mode bits
/// (rwx for owner/group/other plus setuid, setgid, sticky); the type is <paramref name="Type"/>.
/// <paramref name="Ttl"/> is how long the platform may cache these attributes without asking again: a
/// mutable tree answers seconds, an immutable snapshot may answer hours.
/// </summary>
internal readonly record struct NodeAttributes(
    ulong Node,
    NodeType Type,
    uint Permissions,
    uint LinkCount,
    uint Uid,
    uint Gid,
    long Size,
    FileTime AccessTime,
    FileTime ModifyTime,
    FileTime ChangeTime,
    uint DeviceNumber,
    TimeSpan Ttl)
{
    /// <summary>Bytes of storage in 512-byte units, as st_blocks counts them.</summary>
    public long Blocks => (Size + 511) / 512;
}
