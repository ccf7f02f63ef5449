using Ugloo.Engine.Placement;

namespace Ugloo.Engine.Swarm;

/// <summary>Where one segment's fragments have landed so far, and which nodes failed it.</summary>
internal sealed class SegmentUpload(byte[] segmentKey, int n)
{
    private readonly Lock _gate = new();
    private readonly MemberId?[] _holders = new MemberId?[n];
    private readonly HashSet<MemberId> _excluded = [];
    private readonly List<string> _failures = [];

    public int StoredCount
    {
        get
        {
            lock (_gate)
            {
                return _holders.Count(h => h is not null);
            }
        }
    }

    public void Stored(int index, MemberId holder)
    {
        lock (_gate)
        {
            _holders[index] = holder;
        }
    }

    public void Failed(NodeInfo node, string reason)
    {
        lock (_gate)
        {
            _excluded.Add(node.Id);
            _failures.Add($"{node.Address} {reason}");
        }
    }

    /// <summary>
    /// The replacement home for fragment <paramref name="index"/>: placement recomputed without the nodes
    /// that failed this segment, so the fallback is itself deterministic and spread evenly.
    /// </summary>
    public NodeInfo? NextTarget(IReadOnlyList<NodeInfo> eligible, int index)
    {
        HashSet<MemberId> excluded;
        lock (_gate)
        {
            excluded = [.. _excluded];
        }

        if (!eligible.Any(e => !excluded.Contains(e.Id)))
        {
            return null;
        }

        return FragmentPlacement.Place(segmentKey, n, eligible, excluded)[index];
    }

    public int ToleratedNodeLosses(int k)
    {
        lock (_gate)
        {
            return SegmentDurability.ToleratedNodeLosses(SegmentDurability.CountPerNode(_holders.OfType<MemberId>()), k);
        }
    }

    public string DescribeFailures()
    {
        lock (_gate)
        {
            return _failures.Count == 0 ? "none" : string.Join("; ", _failures);
        }
    }
}
