using Ugloo.Engine.Placement;

namespace Ugloo.Engine.Membership;

/// <summary>What a <see cref="MemberTable"/> update changed, for logging and for whoever watches membership.</summary>
internal enum MembershipChangeKind
{
    /// <summary>A member we did not know.</summary>
    Joined,

    /// <summary>A member that was down answered again.</summary>
    Up,

    /// <summary>A member stayed silent for longer than the grace.</summary>
    Down,

    /// <summary>A member reported another address, capacity, site or state word.</summary>
    Updated,
}

/// <summary>One change to the table.</summary>
internal readonly record struct MembershipChange(MembershipChangeKind Kind, MemberId Id, string Address, string State);
