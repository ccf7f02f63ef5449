using Ugloo.Engine.Protocol;
using Ugloo.Node.Roots;

namespace Ugloo.Node.Peers;

/// <summary>
/// ugloo_root_put and ugloo_root_get: the catalog root pointers kept in <see cref="RootStore"/>. Both need an
/// authenticated connection: a pointer holds nothing secret, but only members of the cluster may make a node
/// keep state, and only they learn which volumes it serves.
/// </summary>
internal sealed partial class NodeSession
{
    private async ValueTask OnRootPutAsync(PeerConnection connection, UglooRootPut put, CancellationToken cancellationToken)
    {
        if (!put.IsQuery)
        {
            return;
        }

        if (!connection.IsAuthenticated)
        {
            await ReplyAsync(connection, UglooRootPut.Refused(put.RequestId, 0, UglooErrorCodes.Unauthorized, "keeping a root pointer needs cluster membership"), cancellationToken).ConfigureAwait(false);
            return;
        }

        RootPutOutcome outcome = _runtime.Roots.Put(put.Data.Span);
        UglooRootPut answer = outcome.Status switch
        {
            RootPutStatus.Stored => UglooRootPut.Accepted(put.RequestId, outcome.Sequence),
            RootPutStatus.Stale => UglooRootPut.Refused(put.RequestId, outcome.Sequence, UglooRootPut.StaleCode, outcome.Reason!),
            _ => UglooRootPut.Refused(put.RequestId, 0, UglooErrorCodes.BadRequest, outcome.Reason!),
        };
        Log.RootPut(_logger, _remote, outcome.Status, outcome.Sequence, outcome.Reason);
        await ReplyAsync(connection, answer, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask OnRootGetAsync(PeerConnection connection, UglooRootGet get, CancellationToken cancellationToken)
    {
        if (!get.IsQuery)
        {
            return;
        }

        if (!connection.IsAuthenticated)
        {
            await ReplyAsync(connection, UglooRootGet.NotFound(get.RequestId, get.VolumeId, "asking for root pointers needs cluster membership"), cancellationToken).ConfigureAwait(false);
            return;
        }

        byte[]? pointer = _runtime.Roots.Get(get.VolumeId);
        UglooRootGet answer = pointer is null
            ? UglooRootGet.NotFound(get.RequestId, get.VolumeId, "this node holds no pointer for that volume")
            : UglooRootGet.Found(get.RequestId, get.VolumeId, pointer);
        await ReplyAsync(connection, answer, cancellationToken).ConfigureAwait(false);
    }
}
