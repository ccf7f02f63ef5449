namespace Ugloo.S3.Tests.Auth;

/// <summary>A clock stopped at one instant (the date of AWS's examples).</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
