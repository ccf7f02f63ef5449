using Microsoft.Extensions.Logging;
using Ugloo.Engine.Membership;
using Ugloo.Node.Hosting;

namespace Ugloo.Node.Membership;

/// <summary>Turns member table changes into log lines, one per change.</summary>
internal static class MembershipLog
{
    public static void Report(ILogger logger, IReadOnlyList<MembershipChange> changes, TimeSpan grace)
    {
        foreach (MembershipChange change in changes)
        {
            Report(logger, change, grace);
        }
    }

    public static void Report(ILogger logger, MembershipChange? change, TimeSpan grace)
    {
        if (change is not { } c)
        {
            return;
        }

        string id = c.Id.ToString();
        switch (c.Kind)
        {
            case MembershipChangeKind.Joined:
                Log.MemberJoined(logger, id, c.Address, c.State);
                break;
            case MembershipChangeKind.Down:
                Log.MemberDown(logger, id, c.Address, Duration.Format(grace));
                break;
            case MembershipChangeKind.Up:
                Log.MemberUp(logger, id, c.Address);
                break;
            case MembershipChangeKind.Updated:
                Log.MemberUpdated(logger, id, c.Address, c.State);
                break;
        }
    }
}
