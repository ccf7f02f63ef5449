using System.Text;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Repair;

namespace Ugloo.Engine.Tests.Protocol;

/// <summary>The segment descriptor carried by ugloo_store, and ugloo_status.</summary>
public sealed class RepairMessageTests
{
    private static readonly byte[] s_key = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];

    private static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    private static (SegmentDescriptor Segment, byte[][] Fragments) Segment(int k, int m, int length)
    {
        byte[][] fragments = [.. Enumerable.Range(0, k + m).Select(i => Enumerable.Repeat((byte)i, length).ToArray())];
        return (new SegmentDescriptor(s_key, k, m, length, [.. fragments.Select(f => FragmentId.Compute(f))]), fragments);
    }

    private static byte[] Encode<T>(T message)
        where T : IExtensionMessage<T>
    {
        byte[] wire = PeerMessageTests.Encode(ExtensionCodec.Encode(message, 9));
        Assert.True(PeerWire.TryReadFrame(wire, PeerWireLimits.Default, out PeerFrame frame, out _));
        return frame.AsExtended().Payload.ToArray();
    }

    [Fact]
    public void Store_with_a_segment_golden_bytes_and_round_trip()
    {
        (SegmentDescriptor segment, byte[][] fragments) = Segment(2, 1, 4);
        FragmentId id = segment.FragmentIds[1];
        var store = new UglooStore(5, id.ToArray(), 4, 0, fragments[1], segment, 1);
        byte[] payload = Encode(store);

        string ids = Latin1(segment.JoinIds());
        Assert.Equal(
            "d2:id32:" + Latin1(id.ToArray()) + "3:offi0e3:ridi5e3:segd3:ids96:" + ids + "3:idxi1e1:ki2e3:key32:" + Latin1(s_key) + "3:leni4e1:mi1ee5:totali4ee" + Latin1(fragments[1]),
            Latin1(payload));
        UglooStore decoded = ExtensionCodec.Decode<UglooStore>(payload);
        Assert.NotNull(decoded.Segment);
        Assert.Equal(1, decoded.FragmentIndex);
        Assert.Equal(s_key, decoded.Segment.Key);
        Assert.Equal((2, 1, 4L), (decoded.Segment.DataFragments, decoded.Segment.ParityFragments, decoded.Segment.FragmentLength));
        Assert.Equal(segment.FragmentIds, decoded.Segment.FragmentIds);
    }

    [Fact]
    public void Later_chunks_and_old_senders_carry_no_segment()
    {
        (SegmentDescriptor segment, byte[][] fragments) = Segment(2, 1, 4);
        FragmentId id = segment.FragmentIds[0];
        Assert.DoesNotContain("3:seg", Latin1(Encode(new UglooStore(5, id.ToArray(), 4, 2, fragments[0].AsMemory(2), segment, 0))), StringComparison.Ordinal);
        Assert.Null(ExtensionCodec.Decode<UglooStore>(Encode(new UglooStore(5, id.ToArray(), 4, 0, fragments[0]))).Segment);
    }

    [Fact]
    public void A_segment_that_does_not_describe_the_fragment_is_a_protocol_error()
    {
        (SegmentDescriptor segment, byte[][] fragments) = Segment(2, 1, 4);

        // Index 1's id sent as index 0: the node would record a wrong map of the segment.
        byte[] wrongIndex = Encode(new UglooStore(5, segment.FragmentIds[1].ToArray(), 4, 0, fragments[1], segment, 0));
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooStore>(wrongIndex));

        // A total that is not the segment's fragment length.
        (SegmentDescriptor longer, _) = Segment(2, 1, 8);
        byte[] wrongLength = Encode(new UglooStore(5, longer.FragmentIds[0].ToArray(), 4, 0, fragments[0], new SegmentDescriptor(s_key, 2, 1, 8, [segment.FragmentIds[0], .. longer.FragmentIds.Skip(1)]), 0));
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooStore>(wrongLength));
    }

    [Fact]
    public void Status_query_and_answer_round_trip()
    {
        Assert.Equal("d1:qi1e3:ridi4ee", Latin1(Encode(new UglooStatus(4, isQuery: true))));
        var figures = new Dictionary<string, long> { ["fragments"] = 3, ["scrub_errors"] = 1 };
        byte[] answer = Encode(new UglooStatus(4, isQuery: false, figures));
        Assert.Equal("d3:ridi4e5:statsd9:fragmentsi3e12:scrub_errorsi1eee", Latin1(answer));
        UglooStatus decoded = ExtensionCodec.Decode<UglooStatus>(answer);
        Assert.False(decoded.IsQuery);
        Assert.Equal(figures, decoded.Figures);
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooStatus>(Encoding.Latin1.GetBytes("d3:ridi4e5:statsd1:a1:xee")));
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooStatus>(Encoding.Latin1.GetBytes("d3:ridi4ee")));
    }

    [Fact]
    public void A_status_query_may_start_or_stop_draining()
    {
        byte[] start = Encode(new UglooStatus(4, isQuery: true, drain: true));
        Assert.Equal("d5:draini1e1:qi1e3:ridi4ee", Latin1(start));
        Assert.True(ExtensionCodec.Decode<UglooStatus>(start).Drain);
        Assert.False(ExtensionCodec.Decode<UglooStatus>(Encode(new UglooStatus(4, isQuery: true, drain: false))).Drain);
        Assert.Null(ExtensionCodec.Decode<UglooStatus>(Encode(new UglooStatus(4, isQuery: true))).Drain);
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooStatus>(Encoding.Latin1.GetBytes("d5:draini2e1:qi1e3:ridi4ee")));
    }
}
