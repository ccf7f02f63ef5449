using Ugloo.Engine.Membership;
using Ugloo.Engine.Placement;

namespace Ugloo.Node.Repair;

/// <summary>
/// The membership as one repair check sees it. A member silent for longer than the lost grace is lost: it
/// leaves the placement homes, so its fragments get new homes and are rebuilt there. A member that is down
/// for less is only restarting: it stays a home, and what it should hold is left alone until it returns or
/// becomes lost.
/// </summary>
internal sealed class ClusterView
{
    private readonly HashSet<MemberId> _reachable;
    private readonly Dictionary<MemberId, NodeInfo> _byId;

    private ClusterView(MemberId self, NodeInfo[] homes, HashSet<MemberId> reachable, Dictionary<MemberId, NodeInfo> byId)
    {
        Self = self;
        HomeMembers = homes;
        _reachable = reachable;
        _byId = byId;
    }

    public MemberId Self { get; }

    /// <summary>The members placement homes are computed over: every member not lost (draining ones offer no capacity).</summary>
    public IReadOnlyList<NodeInfo> HomeMembers { get; }

    /// <summary>Members that answer now and take new fragments (where rebuilt fragments may go).</summary>
    public IReadOnlyList<NodeInfo> Writable => [.. HomeMembers.Where(m => m.CapacityBytes > 0 && IsReachable(m.Id))];

    /// <summary>Reachable members other than this node (whom to ask what they hold).</summary>
    public IEnumerable<NodeInfo> Others => _byId.Values.Where(m => m.Id != Self && IsReachable(m.Id));

    public static ClusterView Capture(MemberTable table, TimeSpan lostAfter, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(table);
        Member self = table.Self;
        var byId = new Dictionary<MemberId, NodeInfo> { [self.Id] = self.ToNodeInfo() };
        var reachable = new HashSet<MemberId> { self.Id };
        var homes = new List<NodeInfo> { self.ToNodeInfo() };
        foreach (Member member in table.GetMembers())
        {
            if (member.IsDown && now - member.LastHeard > lostAfter)
            {
                continue;
            }

            NodeInfo info = member.ToNodeInfo();
            byId[member.Id] = info;
            homes.Add(info);
            if (!member.IsDown)
            {
                reachable.Add(member.Id);
            }
        }

        return new ClusterView(self.Id, [.. homes], reachable, byId);
    }

    public bool IsReachable(MemberId id) => _reachable.Contains(id);

    /// <summary>A member that did not answer this check's questions counts as down (not lost) for the rest of it.</summary>
    public void MarkUnreachable(MemberId id)
    {
        if (id != Self)
        {
            _reachable.Remove(id);
        }
    }

    public NodeInfo? Find(MemberId id) => _byId.GetValueOrDefault(id);
}
