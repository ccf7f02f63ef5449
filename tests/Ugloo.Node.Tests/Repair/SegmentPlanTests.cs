using Ugloo.Engine.Membership;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Repair;
using Ugloo.Node.Repair;

namespace Ugloo.Node.Tests.Repair;

/// <summary>Who repairs a segment and what it rebuilds, from one membership view and one holders map.</summary>
public sealed class SegmentPlanTests
{
    private static readonly DateTimeOffset s_start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_down = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_lost = TimeSpan.FromMinutes(10);

    private static readonly MemberId[] s_nodes = [.. Enumerable.Range(1, 7).Select(i => new MemberId([.. Enumerable.Repeat((byte)(i * 17), 32)]))];

    private static readonly SegmentDescriptor s_segment = new(
        [.. Enumerable.Range(0, 32).Select(i => (byte)i)], 4, 2, 64,
        [.. Enumerable.Range(0, 6).Select(i => FragmentId.Compute([(byte)i]))]);

    /// <summary>The view of <paramref name="self"/> at <paramref name="now"/>; the members in <paramref name="silent"/> stopped answering at the start.</summary>
    private static ClusterView View(MemberId self, DateTimeOffset now, params MemberId[] silent)
    {
        var table = new MemberTable(self, Address(self), 1L << 40, 1L << 40, "default", s_start);
        foreach (MemberId node in s_nodes.Where(n => n != self))
        {
            table.Merge([new PexMember(Bytes(node), Address(node), 1L << 40, 1L << 40, "default", MemberStates.Up)], node, s_start);
            if (!silent.Contains(node))
            {
                table.MarkHeard(node, now);
            }

            table.MarkSilent(node, s_down, now);
        }

        return ClusterView.Capture(table, s_lost, now);
    }

    private static string Address(MemberId id) => $"10.0.0.{Bytes(id)[0]}:6881";

    private static byte[] Bytes(MemberId id)
    {
        byte[] bytes = new byte[MemberId.Size];
        id.WriteTo(bytes);
        return bytes;
    }

    private static IReadOnlyList<NodeInfo> Homes(ClusterView view) => FragmentPlacement.Homes(s_segment.Key, 6, view.HomeMembers);

    /// <summary>Every fragment on its home, except the indices in <paramref name="absent"/>.</summary>
    private static Dictionary<FragmentId, HashSet<MemberId>> OnHomes(IReadOnlyList<NodeInfo> homes, params int[] absent)
    {
        var holders = new Dictionary<FragmentId, HashSet<MemberId>>();
        for (int i = 0; i < 6; i++)
        {
            if (!absent.Contains(i))
            {
                holders[s_segment.FragmentIds[i]] = [homes[i].Id];
            }
        }

        return holders;
    }

    [Fact]
    public void Exactly_one_node_is_responsible_and_it_is_the_home_of_fragment_0()
    {
        IReadOnlyList<NodeInfo> homes = Homes(View(s_nodes[0], s_start));
        Dictionary<FragmentId, HashSet<MemberId>> holders = OnHomes(homes);

        MemberId[] responsible = [.. s_nodes.Where(n => SegmentPlan.Create(s_segment, View(n, s_start), holders).Responsible)];

        Assert.Equal([homes[0].Id], responsible);
        SegmentPlan plan = SegmentPlan.Create(s_segment, View(homes[0].Id, s_start), holders);
        Assert.Equal(SegmentState.Redundant, plan.State);
        Assert.Empty(plan.Missing);
    }

    [Fact]
    public void A_node_down_for_less_than_the_lost_grace_is_waited_for_and_the_next_holder_takes_over()
    {
        IReadOnlyList<NodeInfo> homes = Homes(View(s_nodes[0], s_start));
        Dictionary<FragmentId, HashSet<MemberId>> holders = OnHomes(homes);
        DateTimeOffset now = s_start + TimeSpan.FromMinutes(1);

        SegmentPlan plan = SegmentPlan.Create(s_segment, View(homes[1].Id, now, homes[0].Id), holders);

        Assert.True(plan.Responsible);
        Assert.Equal(5, plan.Present);
        Assert.Equal(SegmentState.Degraded, plan.State);
        Assert.Empty(plan.Missing);
    }

    [Fact]
    public void A_lost_node_is_rebuilt_around_on_a_new_home()
    {
        IReadOnlyList<NodeInfo> before = Homes(View(s_nodes[0], s_start));
        MemberId dead = before[2].Id;
        Dictionary<FragmentId, HashSet<MemberId>> holders = OnHomes(before);
        holders[s_segment.FragmentIds[2]].Remove(dead);
        DateTimeOffset now = s_start + s_lost + TimeSpan.FromMinutes(1);
        MemberId self = before[0].Id;

        SegmentPlan plan = SegmentPlan.Create(s_segment, View(self, now, dead), holders);

        Assert.True(plan.Responsible);
        Assert.Equal([2], plan.Missing);
        Assert.DoesNotContain(plan.Homes, h => h.Id == dead);
    }

    [Fact]
    public void Fragments_missing_from_reachable_homes_are_rebuilt_and_the_state_says_how_close_to_loss()
    {
        MemberId self = Homes(View(s_nodes[0], s_start))[0].Id;
        ClusterView view = View(self, s_start);
        IReadOnlyList<NodeInfo> homes = Homes(view);

        Assert.Equal(SegmentState.AtRisk, SegmentPlan.Create(s_segment, view, OnHomes(homes, 4, 5)).State);
        Assert.Equal([4, 5], SegmentPlan.Create(s_segment, view, OnHomes(homes, 4, 5)).Missing);
        Assert.Equal(SegmentState.Lost, SegmentPlan.Create(s_segment, view, OnHomes(homes, 1, 4, 5)).State);
    }
}
