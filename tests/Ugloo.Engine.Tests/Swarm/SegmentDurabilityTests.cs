using Ugloo.Engine.Swarm;

namespace Ugloo.Engine.Tests.Swarm;

public sealed class SegmentDurabilityTests
{
    [Theory]
    [InlineData(4, 2, 6, 2)]   // the default local cluster: any 2 of 6 nodes may go
    [InlineData(4, 2, 5, 1)]   // one node down: one node holds 2 fragments, so only 1 loss is safe
    [InlineData(4, 2, 3, 1)]   // 2 fragments a node: losing one node leaves exactly k
    [InlineData(4, 2, 2, 0)]   // 3 fragments a node: any loss leaves fewer than k
    [InlineData(10, 4, 14, 4)]
    [InlineData(10, 4, 7, 2)]
    [InlineData(4, 0, 4, 0)]
    public void Even_spread_survives_what_the_parity_allows(int k, int m, int nodes, int expected)
    {
        Assert.Equal(expected, SegmentDurability.ToleratedNodeLosses(k, m, nodes));
    }

    [Fact]
    public void Losing_the_fullest_nodes_is_the_worst_case()
    {
        // 6 fragments on 4 nodes as 3 + 1 + 1 + 1: losing the node with 3 leaves 3 < k = 4.
        Assert.Equal(0, SegmentDurability.ToleratedNodeLosses([3, 1, 1, 1], 4));
        Assert.Equal(1, SegmentDurability.ToleratedNodeLosses([2, 1, 1, 1, 1], 4));
    }

    [Fact]
    public void Fewer_than_k_fragments_stored_is_not_even_readable()
    {
        Assert.Equal(-1, SegmentDurability.ToleratedNodeLosses([1, 1, 1], 4));
        Assert.Equal(-1, SegmentDurability.ToleratedNodeLosses(4, 2, 0));
    }
}
