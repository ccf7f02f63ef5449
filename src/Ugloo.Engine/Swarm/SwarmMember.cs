using Ugloo.Engine.Placement;

namespace Ugloo.Engine.Swarm;

/// <summary>A node as the client sees it: what it last said about itself and whether it answers now.</summary>
public sealed record SwarmMember(MemberId Id, string Address, string Site, long CapacityBytes, long FreeBytes, NodeState State, DateTimeOffset? LastSeen)
{
    public NodeInfo ToNodeInfo() => new(Id, Address, Site, CapacityBytes, State);
}
