using Ugloo.Engine.Placement;

namespace Ugloo.Engine.Swarm;

/// <summary>
/// How many node losses a segment survives given where its fragments are: the largest t such that
/// losing the t nodes holding the most fragments still leaves k. Nodes are the unit of failure here;
/// with several fragments on one node they go together.
/// </summary>
public static class SegmentDurability
{
    /// <summary>Node losses survivable with <paramref name="fragmentsPerNode"/> fragments on each node; -1 when fewer than k are stored.</summary>
    public static int ToleratedNodeLosses(IEnumerable<int> fragmentsPerNode, int k)
    {
        int[] counts = [.. fragmentsPerNode.Where(c => c > 0).OrderDescending()];
        int remaining = counts.Sum();
        if (remaining < k)
        {
            return -1;
        }

        int tolerated = 0;
        foreach (int count in counts)
        {
            remaining -= count;
            if (remaining < k)
            {
                break;
            }

            tolerated++;
        }

        return tolerated;
    }

    /// <summary>
    /// What a code of k + m fragments survives when spread as evenly as placement spreads it over
    /// <paramref name="nodes"/> eligible nodes (each holds floor or ceil of n/N).
    /// </summary>
    public static int ToleratedNodeLosses(int k, int m, int nodes)
    {
        if (nodes <= 0)
        {
            return -1;
        }

        int n = k + m;
        int q = n / nodes;
        int r = n % nodes;
        return ToleratedNodeLosses(Enumerable.Repeat(q + 1, r).Concat(Enumerable.Repeat(q, nodes - r)), k);
    }

    /// <summary>Counts fragments per node for a placement result.</summary>
    public static IEnumerable<int> CountPerNode(IEnumerable<MemberId> holders) =>
        holders.GroupBy(h => h).Select(g => g.Count());
}
