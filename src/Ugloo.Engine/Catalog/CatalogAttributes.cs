namespace Ugloo.Engine.Catalog;

/// <summary>
/// What POSIX tools keep about a file besides its bytes: permission bits (the low 12 bits of st_mode), owner,
/// group and modification time in nanoseconds since the Unix epoch (cp -a and rsync -a preserve nanoseconds).
/// </summary>
public readonly record struct CatalogAttributes(uint Mode, uint Uid, uint Gid, long ModifiedNs)
{
    public DateTimeOffset Modified => DateTimeOffset.FromUnixTimeMilliseconds(ModifiedNs / 1_000_000);

    public static long ToNanoseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
