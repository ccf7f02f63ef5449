namespace Ugloo.Engine.Placement;

/// <summary>Whether a member takes new fragments.</summary>
public enum NodeState
{
    /// <summary>Reachable: takes new fragments.</summary>
    Up,

    /// <summary>
    /// Unreachable for now. Keeps its fragments and stays their placement home (<see cref="FragmentPlacement.Homes"/>),
    /// but new writes skip it (<see cref="FragmentPlacement.Place(ReadOnlySpan{byte}, int, IReadOnlyList{NodeInfo})"/>).
    /// Only removing it from the membership makes repair rebuild its fragments elsewhere.
    /// </summary>
    Down,
}

/// <summary>
/// One member of the cluster as placement sees it.
/// </summary>
/// <param name="Id">Its identity; placement hashes it, so the same id always lands on the same fragments.</param>
/// <param name="Address">Where to reach it (host:port); not used by placement.</param>
/// <param name="Site">Its failure domain above the node (a building, a hoster, a region): fragments spread
/// across sites before nodes. Compared ordinally; one empty string for "all in one site" is fine.</param>
/// <param name="CapacityBytes">Its weight: with more nodes than fragments, a node is chosen about in proportion
/// to it. A member with capacity 0 or less takes no fragments (draining).</param>
/// <param name="State">Up or down.</param>
public sealed record NodeInfo(MemberId Id, string Address, string Site, long CapacityBytes, NodeState State = NodeState.Up);
