using Ugloo.Engine.Cluster;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Membership;

/// <summary>
/// A node's view of the cluster: itself plus every member it has heard of, kept up to date by ugloo_pex
/// gossip. Thread-safe (one lock; the table is small and every operation is short).
/// </summary>
/// <remarks>
/// Merge rules, so that gossip converges without a coordinator:
/// <list type="bullet">
/// <item>Our own entry is ours alone: whatever others say about us is ignored.</item>
/// <item>A member's own word wins. What a member says about itself on an authenticated connection (its
/// answer to our pex, or the pex it sends when it dials us) sets its address, capacity, free bytes, site and
/// state word, marks it heard now and first-hand. Second-hand gossip never overrides first-hand figures.</item>
/// <item>Liveness is judged locally: second-hand "up"/"down" never flips a known member's state. We exchange
/// with every member ourselves, so a member is down exactly when it has not answered <em>us</em> for longer
/// than the grace (<see cref="MarkSilent"/>); it is kept (down), never forgotten, and up again when it
/// answers.</item>
/// <item>A member first heard of second-hand is added with the gossiped figures (as "down" if gossiped so,
/// else "up"); its grace counts from then, so one nobody can reach goes down after the grace.</item>
/// <item>A down member's address may be updated second-hand: it may have moved, and whoever gossips the
/// new address may have heard it first-hand.</item>
/// </list>
/// </remarks>
internal sealed class MemberTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<MemberId, Member> _members = [];
    private Member _self;

    public MemberTable(MemberId selfId, string address, long capacityBytes, long freeBytes, string site, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentNullException.ThrowIfNull(site);
        _self = new Member(selfId, address, capacityBytes, freeBytes, site, MemberStates.Up, now, FirstHand: true);
    }

    /// <summary>Most members the table keeps besides itself; what fits one ugloo_pex message.</summary>
    public static int MaxMembers => UglooPex.MaxMembers - 1;

    public MemberId SelfId => _self.Id;

    public Member Self
    {
        get
        {
            lock (_lock)
            {
                return _self;
            }
        }
    }

    /// <summary>Number of other members known (any state).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _members.Count;
            }
        }
    }

    /// <summary>Refreshes our own free bytes (the store's figure) before we gossip.</summary>
    public void UpdateSelf(long freeBytes)
    {
        lock (_lock)
        {
            _self = _self with { FreeBytes = freeBytes };
        }
    }

    /// <summary>Sets our own state word (up, or draining while this node empties itself before it leaves).</summary>
    public void SetSelfState(string state)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        lock (_lock)
        {
            _self = _self with { State = state };
        }
    }

    public bool TryGet(MemberId id, out Member member)
    {
        lock (_lock)
        {
            if (id == _self.Id)
            {
                member = _self;
                return true;
            }

            return _members.TryGetValue(id, out member!);
        }
    }

    /// <summary>The other members, in id order.</summary>
    public IReadOnlyList<Member> GetMembers()
    {
        lock (_lock)
        {
            return [.. _members.Values.OrderBy(m => m.Id)];
        }
    }

    /// <summary>Ourselves and every member with its state: what we gossip.</summary>
    public IReadOnlyList<PexMember> ToPex()
    {
        lock (_lock)
        {
            var list = new List<PexMember>(_members.Count + 1) { ToPex(_self) };
            foreach (Member m in _members.Values.OrderBy(m => m.Id))
            {
                list.Add(ToPex(m));
            }

            return list;
        }
    }

    /// <summary>Ourselves and every member as placement sees them.</summary>
    public IReadOnlyList<NodeInfo> ToNodeInfos()
    {
        lock (_lock)
        {
            return [_self.ToNodeInfo(), .. _members.Values.OrderBy(m => m.Id).Select(m => m.ToNodeInfo())];
        }
    }

    /// <summary>
    /// Merges a received member list. <paramref name="sender"/> is the node id of the peer that sent it on an
    /// authenticated connection (null for a client or when unknown): its entry about itself is first-hand.
    /// </summary>
    public IReadOnlyList<MembershipChange> Merge(IReadOnlyList<PexMember> members, MemberId? sender, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(members);
        var changes = new List<MembershipChange>();
        lock (_lock)
        {
            foreach (PexMember gossiped in members)
            {
                if (gossiped.NodeId.Length != MemberId.Size || !Endpoints.TryParse(gossiped.Address, out _))
                {
                    continue;
                }

                var id = new MemberId(gossiped.NodeId);
                if (id == _self.Id)
                {
                    continue;
                }

                if (sender == id)
                {
                    MergeFirstHand(id, gossiped, now, changes);
                }
                else
                {
                    MergeSecondHand(id, gossiped, now, changes);
                }
            }
        }

        return changes;
    }

    /// <summary>
    /// Records that <paramref name="id"/> answered us (even if its answer did not list itself): it is alive.
    /// </summary>
    public MembershipChange? MarkHeard(MemberId id, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_members.TryGetValue(id, out Member? member))
            {
                return null;
            }

            bool wasDown = member.IsDown;
            _members[id] = member with { LastHeard = now, State = wasDown ? MemberStates.Up : member.State };
            return wasDown ? new MembershipChange(MembershipChangeKind.Up, id, member.Address, MemberStates.Up) : null;
        }
    }

    /// <summary>
    /// Called when <paramref name="id"/> failed to answer: marks it down when it has been silent for longer
    /// than <paramref name="grace"/>. Returns the change, or null when nothing changed.
    /// </summary>
    public MembershipChange? MarkSilent(MemberId id, TimeSpan grace, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_members.TryGetValue(id, out Member? member) || member.IsDown || now - member.LastHeard <= grace)
            {
                return null;
            }

            _members[id] = member with { State = MemberStates.Down };
            return new MembershipChange(MembershipChangeKind.Down, id, member.Address, MemberStates.Down);
        }
    }

    private void MergeFirstHand(MemberId id, PexMember said, DateTimeOffset now, List<MembershipChange> changes)
    {
        // A member that answers is not down, whatever word it used for itself.
        string state = said.State is MemberStates.Down or "" ? MemberStates.Up : said.State;
        var updated = new Member(id, said.Address, Math.Max(0, said.CapacityBytes), Math.Max(0, said.FreeBytes), said.Site, state, now, FirstHand: true);
        if (!_members.TryGetValue(id, out Member? known))
        {
            if (_members.Count < MaxMembers)
            {
                _members[id] = updated;
                changes.Add(new MembershipChange(MembershipChangeKind.Joined, id, updated.Address, state));
            }

            return;
        }

        _members[id] = updated;
        if (known.IsDown)
        {
            changes.Add(new MembershipChange(MembershipChangeKind.Up, id, updated.Address, state));
        }
        else if (known.Address != updated.Address || known.Site != updated.Site || known.State != updated.State || known.CapacityBytes != updated.CapacityBytes)
        {
            changes.Add(new MembershipChange(MembershipChangeKind.Updated, id, updated.Address, state));
        }
    }

    private void MergeSecondHand(MemberId id, PexMember gossiped, DateTimeOffset now, List<MembershipChange> changes)
    {
        if (!_members.TryGetValue(id, out Member? known))
        {
            if (_members.Count >= MaxMembers)
            {
                return;
            }

            string state = gossiped.State == MemberStates.Down ? MemberStates.Down : MemberStates.Up;
            _members[id] = new Member(id, gossiped.Address, Math.Max(0, gossiped.CapacityBytes), Math.Max(0, gossiped.FreeBytes), gossiped.Site, state, now, FirstHand: false);
            changes.Add(new MembershipChange(MembershipChangeKind.Joined, id, gossiped.Address, state));
            return;
        }

        if (!known.FirstHand)
        {
            // Still only hearsay: take the newer hearsay figures, keep our own judgement of liveness.
            _members[id] = known with
            {
                Address = gossiped.Address,
                CapacityBytes = Math.Max(0, gossiped.CapacityBytes),
                FreeBytes = Math.Max(0, gossiped.FreeBytes),
                Site = gossiped.Site,
            };
        }
        else if (known.IsDown && known.Address != gossiped.Address && gossiped.State != MemberStates.Down)
        {
            _members[id] = known with { Address = gossiped.Address };
            changes.Add(new MembershipChange(MembershipChangeKind.Updated, id, gossiped.Address, known.State));
        }
    }

    private static PexMember ToPex(Member m)
    {
        byte[] id = new byte[MemberId.Size];
        m.Id.WriteTo(id);
        return new PexMember(id, m.Address, m.CapacityBytes, m.FreeBytes, m.Site, m.State);
    }
}
