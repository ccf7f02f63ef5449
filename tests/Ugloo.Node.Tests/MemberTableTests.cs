using System.Security.Cryptography;
using Ugloo.Engine.Membership;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Protocol;

namespace Ugloo.Node.Tests;

/// <summary>The merge rules of the member table (in process; the gossip loop is covered by MembershipTests).</summary>
public sealed class MemberTableTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_grace = TimeSpan.FromSeconds(15);

    private static MemberId NewId() => new(RandomNumberGenerator.GetBytes(MemberId.Size));

    private static PexMember Pex(MemberId id, string address, long capacity = 1000, string site = "s", string state = "up")
    {
        byte[] bytes = new byte[MemberId.Size];
        id.WriteTo(bytes);
        return new PexMember(bytes, address, capacity, capacity / 2, site, state);
    }

    private static MemberTable NewTable(out MemberId self)
    {
        self = NewId();
        return new MemberTable(self, "127.0.0.1:1", 5000, 4000, "home", s_t0);
    }

    [Fact]
    public void Members_own_word_wins_over_gossip_about_it()
    {
        MemberTable table = NewTable(out _);
        MemberId b = NewId();
        MemberId c = NewId();

        table.Merge([Pex(b, "127.0.0.1:2", capacity: 700, site: "b-site")], sender: b, s_t0);
        table.Merge([Pex(b, "10.0.0.9:9", capacity: 1, site: "rumour")], sender: c, s_t0.AddSeconds(1));

        Assert.True(table.TryGet(b, out Member member));
        Assert.Equal("127.0.0.1:2", member.Address);
        Assert.Equal(700, member.CapacityBytes);
        Assert.Equal("b-site", member.Site);
    }

    [Fact]
    public void Hearsay_is_taken_until_the_member_speaks_for_itself()
    {
        MemberTable table = NewTable(out _);
        MemberId b = NewId();
        MemberId c = NewId();

        IReadOnlyList<MembershipChange> joined = table.Merge([Pex(c, "127.0.0.1:3", capacity: 10)], sender: b, s_t0);
        table.Merge([Pex(c, "127.0.0.1:3", capacity: 20)], sender: b, s_t0);
        Assert.Equal(MembershipChangeKind.Joined, Assert.Single(joined).Kind);
        Assert.True(table.TryGet(c, out Member heard));
        Assert.Equal(20, heard.CapacityBytes);
        Assert.False(heard.FirstHand);

        table.Merge([Pex(c, "127.0.0.1:3", capacity: 30)], sender: c, s_t0);
        table.Merge([Pex(c, "127.0.0.1:3", capacity: 40)], sender: b, s_t0);
        Assert.True(table.TryGet(c, out Member spoken));
        Assert.Equal(30, spoken.CapacityBytes);
    }

    [Fact]
    public void Gossip_about_ourselves_is_ignored()
    {
        MemberTable table = NewTable(out MemberId self);
        MemberId b = NewId();

        table.Merge([Pex(self, "10.9.9.9:1", state: "down")], sender: b, s_t0);

        Assert.Equal(0, table.Count);
        Assert.Equal("up", table.Self.State);
        Assert.Equal("127.0.0.1:1", table.Self.Address);
    }

    [Fact]
    public void Silent_member_goes_down_after_the_grace_is_kept_and_comes_back_up_when_it_answers()
    {
        MemberTable table = NewTable(out _);
        MemberId b = NewId();
        table.Merge([Pex(b, "127.0.0.1:2")], sender: b, s_t0);

        Assert.Null(table.MarkSilent(b, s_grace, s_t0 + s_grace));
        MembershipChange? down = table.MarkSilent(b, s_grace, s_t0 + s_grace + TimeSpan.FromSeconds(1));
        Assert.Equal(MembershipChangeKind.Down, down?.Kind);
        Assert.Null(table.MarkSilent(b, s_grace, s_t0 + (3 * s_grace)));

        Assert.Equal(2, table.ToPex().Count);
        Assert.Equal(NodeState.Down, table.ToNodeInfos().Single(n => n.Id == b).State);

        // Second-hand "up" does not revive it: liveness is judged by our own exchanges.
        table.Merge([Pex(b, "127.0.0.1:2", state: "up")], sender: NewId(), s_t0 + (3 * s_grace));
        Assert.True(table.TryGet(b, out Member stillDown));
        Assert.True(stillDown.IsDown);

        IReadOnlyList<MembershipChange> up = table.Merge([Pex(b, "127.0.0.1:2")], sender: b, s_t0 + (4 * s_grace));
        Assert.Equal(MembershipChangeKind.Up, Assert.Single(up).Kind);
    }

    [Fact]
    public void Entries_with_bad_addresses_or_ids_are_skipped()
    {
        MemberTable table = NewTable(out _);

        table.Merge([new PexMember(new byte[5], "127.0.0.1:2", 1, 1, "", "up"), Pex(NewId(), "no port")], sender: null, s_t0);

        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Draining_member_offers_no_capacity_to_placement()
    {
        MemberTable table = NewTable(out _);
        MemberId b = NewId();

        table.Merge([Pex(b, "127.0.0.1:2", capacity: 900, state: "draining")], sender: b, s_t0);

        NodeInfo info = table.ToNodeInfos().Single(n => n.Id == b);
        Assert.Equal(0, info.CapacityBytes);
        Assert.Equal(NodeState.Up, info.State);
    }
}
