namespace Ugloo.Mount.FileSystem;

/// <summary>
/// The attributes a chmod/chown/truncate/utimensat asks to change; null means "leave as is". "Set to now"
/// arrives already resolved to the adapter's clock. A change of any field also moves ctime to now unless
/// <see cref="ChangeTime"/> is given.
/// </summary>
internal sealed record class SetAttrChanges
{
    public uint? Permissions { get; init; }

    public uint? Uid { get; init; }

    public uint? Gid { get; init; }

    public long? Size { get; init; }

    public FileTime? AccessTime { get; init; }

    public FileTime? ModifyTime { get; init; }

    public FileTime? ChangeTime { get; init; }
}
