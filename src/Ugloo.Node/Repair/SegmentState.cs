namespace Ugloo.Node.Repair;

/// <summary>How close a segment is to losing data, judged by its fragments on reachable members.</summary>
internal enum SegmentState
{
    /// <summary>All n fragments present.</summary>
    Redundant,

    /// <summary>Some missing, more than k present: it can still lose a fragment.</summary>
    Degraded,

    /// <summary>Exactly k present: one more loss and it is gone.</summary>
    AtRisk,

    /// <summary>Fewer than k present on reachable members: unreadable until a member comes back.</summary>
    Lost,
}
