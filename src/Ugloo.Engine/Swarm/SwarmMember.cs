using Ugloo.Engine.Placement;

namespace Ugloo.Engine.Swarm;

/// <summary>A node as the client sees it: what it last said about itself and whether it answers now.</summary>
public sealed record SwarmMember(MemberId Id, string Address, string Site, long CapacityBytes, long FreeBytes, NodeState State, DateTimeOffset? LastSeen)
{
    /// <summary>
    /// The node's health figures (ugloo_status: fragments, scrub and repair counters; docs/PROTOCOL.md), once
    /// <see cref="SwarmClient.RefreshFiguresAsync"/> asked for them; null when it did not answer.
    /// </summary>
    public IReadOnlyDictionary<string, long>? Figures { get; init; }

    public NodeInfo ToNodeInfo() => new(Id, Address, Site, CapacityBytes, State);
}
