namespace Ugloo.Engine;

/// <summary>
/// A number of bytes that several holders share, reserved and released without a lock: whoever would go past
/// the limit is refused and takes its slower path instead (a store waits, a staged copy goes to disk).
/// </summary>
public sealed class ByteBudget(long limitBytes)
{
    private long _used;

    public long LimitBytes { get; } = limitBytes;

    /// <summary>Bytes reserved now.</summary>
    public long Used => Interlocked.Read(ref _used);

    /// <summary>Reserves <paramref name="bytes"/>; false (and nothing reserved) when that would pass the limit.</summary>
    public bool TryReserve(long bytes)
    {
        long used = Interlocked.Add(ref _used, bytes);
        if (used <= LimitBytes)
        {
            return true;
        }

        Interlocked.Add(ref _used, -bytes);
        return false;
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
