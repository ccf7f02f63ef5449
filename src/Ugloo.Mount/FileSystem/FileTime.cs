namespace Ugloo.Mount.FileSystem;

/// <summary>
/// A timestamp in seconds and nanoseconds since the Unix epoch. Not <see cref="DateTime"/>: its 100 ns ticks
/// would lose the last two digits that utimensat(2) stores and that <c>cp -a</c> / <c>rsync -a</c> compare.
/// </summary>
internal readonly record struct FileTime(long Seconds, uint Nanoseconds) : IComparable<FileTime>
{
    public static FileTime Now => FromDateTimeOffset(DateTimeOffset.UtcNow);

    public static FileTime FromDateTimeOffset(DateTimeOffset value)
    {
        long ticks = value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        return new FileTime(seconds, (uint)(remainder * 100));
    }

    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddTicks((Seconds * TimeSpan.TicksPerSecond) + (Nanoseconds / 100));

    public int CompareTo(FileTime other)
    {
        int c = Seconds.CompareTo(other.Seconds);
        return c != 0 ? c : Nanoseconds.CompareTo(other.Nanoseconds);
    }
}
