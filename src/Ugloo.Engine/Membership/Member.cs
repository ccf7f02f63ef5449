using Ugloo.Engine.Placement;

namespace Ugloo.Engine.Membership;

/// <summary>One cluster member as a <see cref="MemberTable"/> knows it.</summary>
/// <param name="Id">Its 32-byte node id.</param>
/// <param name="Address">HOST:PORT its peer listener is reached at (its advertise address).</param>
/// <param name="CapacityBytes">Bytes it offers; its placement weight.</param>
/// <param name="FreeBytes">Largest fragment it would accept when last heard of.</param>
/// <param name="Site">Its failure domain above the node.</param>
/// <param name="State">One of <see cref="MemberStates"/> or a newer word gossiped by a newer node.</param>
/// <param name="LastHeard">
/// When it last answered us or dialled us itself; for a member only heard of second-hand, when we first
/// heard of it (the down grace counts from there).
/// </param>
/// <param name="FirstHand">True once its figures came from the member itself; then gossip no longer changes them.</param>
internal sealed record Member(
    MemberId Id,
    string Address,
    long CapacityBytes,
    long FreeBytes,
    string Site,
    string State,
    DateTimeOffset LastHeard,
    bool FirstHand)
{
    public bool IsDown => State == MemberStates.Down;

    /// <summary>What placement sees: anything not "down" is reachable; "draining" offers no capacity.</summary>
    public NodeInfo ToNodeInfo() => new(
        Id,
        Address,
        Site,
        State == MemberStates.Draining ? 0 : CapacityBytes,
        IsDown ? NodeState.Down : NodeState.Up);
}
