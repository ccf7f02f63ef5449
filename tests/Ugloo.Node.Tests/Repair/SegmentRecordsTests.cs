using Ugloo.Engine.Objects;
using Ugloo.Engine.Repair;
using Ugloo.Node.Repair;

namespace Ugloo.Node.Tests.Repair;

/// <summary>The node's segment records: what rebalancing forgets, and what it must not.</summary>
public sealed class SegmentRecordsTests
{
    private static SegmentDescriptor Segment(byte seed) => new(
        [.. Enumerable.Range(0, 32).Select(i => (byte)(i + seed))], 4, 2, 64,
        [.. Enumerable.Range(0, 6).Select(i => FragmentId.Compute([seed, (byte)i]))]);

    [Fact]
    public void A_segment_whose_fragment_arrived_after_the_emptiness_check_keeps_its_record()
    {
        using var directory = new TempDirectory();
        using SegmentRecords records = SegmentRecords.Open(directory.Path);
        SegmentDescriptor moved = Segment(1);
        SegmentDescriptor refilled = Segment(2);
        records.Put(moved);
        records.Put(refilled);

        // Both looked empty when checked; by removal time another member moved a fragment of the second here
        // (its Put was ignored: the record still existed). Without the second test its fragment lost its record.
        var heldNow = new HashSet<FragmentId> { refilled.FragmentIds[3] };
        records.Remove([moved, refilled], s => !s.FragmentIds.Any(heldNow.Contains));

        SegmentDescriptor kept = Assert.Single(records.GetAll());
        Assert.Equal(refilled.Key, kept.Key);
    }
}
