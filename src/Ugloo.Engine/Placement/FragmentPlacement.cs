using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ugloo.Engine.Placement;

/// <summary>
/// Placement: which member holds fragment i of a segment. A pure function of (segment key, membership)
/// (DESIGN.md "Placement and elasticity"): every node and client computes the same answer with no
/// coordination, and the order of the members list does not matter.
/// </summary>
/// <remarks>
/// <para>The rules, in priority order, with N eligible members and n fragments (q = n / N, r = n mod N):</para>
/// <list type="number">
/// <item>Evenness: every member gets q or q + 1 fragments, so never more than ceil(n / N); with N &gt;= n all
/// n fragments are on distinct members.</item>
/// <item>Site spread: site s with N_s members gets t_s = q·N_s + e_s fragments, e_s in [0, N_s], sum of e_s = r,
/// and the t_s are water-filled: a site gets its (j+1)-th fragment only when every site that can still take one
/// (has a member below q + 1) holds j. With N &gt;= n this reads: no site gets a second fragment before every site
/// has one. Sites tied at the water level are chosen by weighted rendezvous score, weight = total capacity.
/// Spread beats capacity: a small site still gets its even share when every member of it is up.</item>
/// <item>Capacity: within those bounds, members are chosen by weighted rendezvous (HRW) scores, so with many
/// more members than fragments a member holds fragments about in proportion to its capacity.</item>
/// </list>
/// <para>Assignment. Each (fragment index, member) pair gets a weighted rendezvous cost -ln(u)/w, u a hash of
/// (segment key, member id, index) in (0, 1), w the capacity (the exponential-race form of weighted HRW: the
/// minimum over members is member v with probability w_v / sum w). Pairs are taken cheapest first; a pair is
/// kept when its fragment is unassigned and its member still has room under the rules above. This greedy
/// matching is the stable matching of common pair costs, so a join or a leave changes it along one alternating
/// chain: the new member takes the fragments whose pair with it is cheapest, the displaced holders move only
/// if they beat someone else. Fragments are first matched to sites (site-level costs), then within each site
/// to its members, so a change inside one site leaves the other sites untouched.</para>
/// <para>Cost: O(n·N·log(n·N)) per call (1,400 pairs for n = 14, N = 100).</para>
/// </remarks>
public static class FragmentPlacement
{
    /// <summary>
    /// Where new fragments go: over the Up members with positive capacity. Index i of the result holds
    /// fragment i's member.
    /// </summary>
    /// <exception cref="InvalidOperationException">No member is eligible.</exception>
    public static IReadOnlyList<NodeInfo> Place(ReadOnlySpan<byte> segmentKey, int n, IReadOnlyList<NodeInfo> members) =>
        Place(segmentKey, n, members, excluded: null);

    /// <summary>
    /// As <see cref="Place(ReadOnlySpan{byte}, int, IReadOnlyList{NodeInfo})"/> without the
    /// <paramref name="excluded"/> members (ones that refused as full, or failed the write).
    /// </summary>
    public static IReadOnlyList<NodeInfo> Place(ReadOnlySpan<byte> segmentKey, int n, IReadOnlyList<NodeInfo> members, IReadOnlySet<MemberId>? excluded)
    {
        ArgumentNullException.ThrowIfNull(members);
        return Assign(segmentKey, n, Eligible(members, m => m.State == NodeState.Up && (excluded is null || !excluded.Contains(m.Id))));
    }

    /// <summary>
    /// The placement homes: over all members with positive capacity, Up or Down. This is where fragments belong;
    /// repair and rebalancing compare what is stored against it. Equal to <c>Place</c> while every member is up.
    /// </summary>
    public static IReadOnlyList<NodeInfo> Homes(ReadOnlySpan<byte> segmentKey, int n, IReadOnlyList<NodeInfo> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        return Assign(segmentKey, n, Eligible(members, static _ => true));
    }

    private static NodeInfo[] Eligible(IReadOnlyList<NodeInfo> members, Func<NodeInfo, bool> filter)
    {
        // Sorted by id: the input order must not matter, and ties in cost are broken by position.
        NodeInfo[] eligible = [.. members.Where(m => m.CapacityBytes > 0 && filter(m)).OrderBy(m => m.Id)];
        for (int i = 1; i < eligible.Length; i++)
        {
            if (eligible[i].Id == eligible[i - 1].Id)
            {
                throw new ArgumentException($"Member {eligible[i].Id} is listed twice.", nameof(members));
            }
        }

        return eligible;
    }

    private static NodeInfo[] Assign(ReadOnlySpan<byte> segmentKey, int n, NodeInfo[] nodes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (nodes.Length == 0)
        {
            throw new InvalidOperationException("No member can take fragments: every member is down, excluded or has no capacity.");
        }

        ulong seed = SegmentSeed(segmentKey);
        int q = n / nodes.Length;
        int r = n % nodes.Length;

        // Sites in ordinal order, each with its members (already in id order).
        string[] siteNames = [.. nodes.Select(m => m.Site).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var siteOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int s = 0; s < siteNames.Length; s++)
        {
            siteOf[siteNames[s]] = s;
        }

        var siteMembers = new List<int>[siteNames.Length];
        for (int s = 0; s < siteMembers.Length; s++)
        {
            siteMembers[s] = [];
        }

        for (int v = 0; v < nodes.Length; v++)
        {
            siteMembers[siteOf[nodes[v].Site]].Add(v);
        }

        ulong[] siteHashes = [.. siteNames.Select(SiteHash)];
        double[] siteWeights = [.. siteMembers.Select(list => list.Sum(v => (double)nodes[v].CapacityBytes))];
        int[] extras = SiteExtras(seed, q, r, siteMembers, siteHashes, siteWeights);

        // Level 1: fragment index -> site, each site taking exactly its quota t_s = q·N_s + e_s.
        int[] siteQuota = new int[siteNames.Length];
        for (int s = 0; s < siteQuota.Length; s++)
        {
            siteQuota[s] = q * siteMembers[s].Count + extras[s];
        }

        int[] allSlots = [.. Enumerable.Range(0, n)];
        int[] siteOfSlot = new int[n];
        int[] siteTaken = new int[siteNames.Length];
        // Unit weights here: the quotas already fix how many fragments each site gets, and a site's capacity
        // changing (a member joins it) must not reorder its pairs against the other sites' and move fragments.
        double[] unitWeights = [.. siteWeights.Select(_ => 1.0)];
        foreach ((int slot, int site) in CheapestFirst(seed, allSlots, siteHashes, unitWeights))
        {
            if (siteOfSlot[slot] == 0 && siteTaken[site] < siteQuota[site])
            {
                siteOfSlot[slot] = site + 1;
                siteTaken[site]++;
            }
        }

        // Level 2: within each site, fragment index -> member, q each plus e_s members with one extra.
        var result = new NodeInfo[n];
        for (int s = 0; s < siteNames.Length; s++)
        {
            int[] slots = [.. allSlots.Where(i => siteOfSlot[i] == s + 1)];
            if (slots.Length == 0)
            {
                continue;
            }

            List<int> local = siteMembers[s];
            ulong[] memberHashes = [.. local.Select(v => nodes[v].Id.Fold)];
            double[] memberWeights = [.. local.Select(v => (double)nodes[v].CapacityBytes)];
            int[] held = new int[local.Count];
            int extrasUsed = 0;
            foreach ((int slot, int member) in CheapestFirst(seed, slots, memberHashes, memberWeights))
            {
                if (result[slot] is not null)
                {
                    continue;
                }

                if (held[member] < q || (held[member] == q && extrasUsed < extras[s]))
                {
                    extrasUsed += held[member] == q ? 1 : 0;
                    held[member]++;
                    result[slot] = nodes[local[member]];
                }
            }
        }

        return result;
    }

    /// <summary>
    /// e_s, the members of site s that get q + 1 fragments: water-filling of the site totals q·N_s + e_s. The
    /// level L is the highest whose fill fits in r; the remaining extras go to the sites sitting exactly at L
    /// that can still grow, best weighted rendezvous score first.
    /// </summary>
    private static int[] SiteExtras(ulong seed, int q, int r, List<int>[] siteMembers, ulong[] siteHashes, double[] siteWeights)
    {
        int sites = siteMembers.Length;
        int Fill(int site, long level) => (int)Math.Clamp(level - ((long)q * siteMembers[site].Count), 0, siteMembers[site].Count);

        long low = 0;
        long high = (long)(q + 1) * siteMembers.Max(m => m.Count);
        while (low < high)
        {
            long mid = (low + high + 1) / 2;
            long total = 0;
            for (int s = 0; s < sites; s++)
            {
                total += Fill(s, mid);
            }

            if (total <= r)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        int[] extras = new int[sites];
        int remaining = r;
        for (int s = 0; s < sites; s++)
        {
            extras[s] = Fill(s, low);
            remaining -= extras[s];
        }

        if (remaining > 0)
        {
            int[] candidates = [.. Enumerable.Range(0, sites).Where(s => Fill(s, low + 1) > extras[s])];
            double[] costs = [.. candidates.Select(s => Cost(seed, siteHashes[s], slot: -1, siteWeights[s]))];
            Array.Sort(costs, candidates);
            for (int i = 0; i < remaining; i++)
            {
                extras[candidates[i]]++;
            }
        }

        return extras;
    }

    /// <summary>All (slot, candidate) pairs, cheapest first; ties broken by slot, then candidate.</summary>
    private static IEnumerable<(int Slot, int Candidate)> CheapestFirst(ulong seed, int[] slots, ulong[] candidateHashes, double[] weights)
    {
        var pairs = new (double Cost, int Slot, int Candidate)[slots.Length * candidateHashes.Length];
        int p = 0;
        foreach (int slot in slots)
        {
            for (int c = 0; c < candidateHashes.Length; c++)
            {
                pairs[p++] = (Cost(seed, candidateHashes[c], slot, weights[c]), slot, c);
            }
        }

        Array.Sort(pairs);
        return pairs.Select(pair => (pair.Slot, pair.Candidate));
    }

    /// <summary>
    /// Weighted rendezvous cost -ln(u)/w: an exponential variable of rate w, so the cheapest of several
    /// candidates is candidate v with probability w_v / sum w (the "-w/ln(hash)" form of weighted HRW, inverted).
    /// </summary>
    internal static double Cost(ulong seed, ulong candidate, int slot, double weight)
    {
        ulong h = Mix(Mix(seed ^ Mix(candidate ^ 0x6A09E667F3BCC909UL)) + (((ulong)(uint)slot + 1) * 0x9E3779B97F4A7C15UL));

        // The top 53 bits as a double in (0, 1): the +0.5 keeps u away from 0 (ln 0) and from 1 (cost 0 for all weights).
        double u = ((h >> 11) + 0.5) * (1.0 / (1UL << 53));
        return -Math.Log(u) / weight;
    }

    /// <summary>SplitMix64's finalizer (Steele, Lea, Flood 2014): a bijection with full avalanche.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // The key may be anything (a segment's hash, its object id and index); SHA-256 spreads any key over 64 bits.
    private static ulong SegmentSeed(ReadOnlySpan<byte> segmentKey)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(segmentKey, digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    private static ulong SiteHash(string site)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(site), digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }
}
