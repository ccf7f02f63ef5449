using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Repair;

namespace Ugloo.Node.Repair;

/// <summary>
/// What one check concludes about one segment: whether this node is responsible for it, how healthy it is,
/// and which fragments must be rebuilt.
/// </summary>
internal sealed class SegmentPlan
{
    private SegmentPlan(SegmentDescriptor segment, IReadOnlyList<NodeInfo> homes, bool responsible, int present, int[] missing)
    {
        Segment = segment;
        Homes = homes;
        Responsible = responsible;
        Present = present;
        Missing = missing;
    }

    public SegmentDescriptor Segment { get; }

    /// <summary>Fragment i's placement home over the members not lost.</summary>
    public IReadOnlyList<NodeInfo> Homes { get; }

    public bool Responsible { get; }

    /// <summary>Fragment indices held by at least one reachable member.</summary>
    public int Present { get; }

    /// <summary>Indices held by no reachable member and whose home is not merely restarting: to rebuild.</summary>
    public int[] Missing { get; }

    public SegmentState State =>
        Present >= Segment.TotalFragments ? SegmentState.Redundant
        : Present > Segment.DataFragments ? SegmentState.Degraded
        : Present == Segment.DataFragments ? SegmentState.AtRisk
        : SegmentState.Lost;

    /// <summary>
    /// Judges <paramref name="segment"/>. The responsible node is the first reachable member holding any of
    /// its fragments, in placement order: fragment 0's home, fragment 1's home, …, then holders away from any
    /// home by id. Every node computes the same answer from the same facts, so one node repairs a segment;
    /// when that node dies the next one in the order takes over. Two nodes that disagree for a moment (one
    /// has not yet seen a change) both rebuild the same bytes to the same homes, which stores idempotently.
    /// </summary>
    public static SegmentPlan Create(SegmentDescriptor segment, ClusterView view, IReadOnlyDictionary<FragmentId, HashSet<MemberId>> holders)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(holders);
        int n = segment.TotalFragments;
        IReadOnlyList<NodeInfo> homes = FragmentPlacement.Homes(segment.Key, n, view.HomeMembers);

        var holding = new HashSet<MemberId>();
        int present = 0;
        var missing = new List<int>();
        for (int i = 0; i < n; i++)
        {
            bool found = false;
            if (holders.TryGetValue(segment.FragmentIds[i], out HashSet<MemberId>? of))
            {
                foreach (MemberId member in of)
                {
                    if (view.IsReachable(member))
                    {
                        holding.Add(member);
                        found = true;
                    }
                }
            }

            if (found)
            {
                present++;
            }
            else if (view.IsReachable(homes[i].Id))
            {
                // Its home answers and lacks it (and nobody else has it): gone, rebuild it. A home that is down
                // but not yet lost may still hold it: wait.
                missing.Add(i);
            }
        }

        MemberId? responsible = null;
        foreach (NodeInfo home in homes)
        {
            if (holding.Contains(home.Id))
            {
                responsible = home.Id;
                break;
            }
        }

        responsible ??= holding.Count == 0 ? null : holding.Min();
        return new SegmentPlan(segment, homes, responsible == view.Self, present, [.. missing]);
    }
}
