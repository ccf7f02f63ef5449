namespace Ugloo.Engine.Membership;

/// <summary>The "state" words of ugloo_pex (docs/PROTOCOL.md section 5).</summary>
internal static class MemberStates
{
    /// <summary>Answering; takes new fragments.</summary>
    public const string Up = "up";

    /// <summary>Answering, but leaving: takes no new fragments.</summary>
    public const string Draining = "draining";

    /// <summary>Has not answered for longer than the grace; kept (it may come back), skipped for new writes.</summary>
    public const string Down = "down";
}
