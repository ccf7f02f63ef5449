using Ugloo.Engine.Protocol;
using Ugloo.Node.Status;

namespace Ugloo.Node.Peers;

/// <summary>
/// ugloo_status: the node's health figures, for members and clients of the cluster only; a query may first
/// start or stop draining the node (<c>ugloo-node drain</c>).
/// </summary>
internal sealed partial class NodeSession
{
    private async ValueTask OnStatusAsync(PeerConnection connection, UglooStatus status, CancellationToken cancellationToken)
    {
        // Strangers learn nothing (as with ugloo_pex); answers flowing the other way are not ours to take.
        if (!status.IsQuery || !connection.IsAuthenticated)
        {
            return;
        }

        if (status.Drain is bool drain)
        {
            _runtime.SetDraining(drain);
        }

        await ReplyAsync(connection, new UglooStatus(status.RequestId, isQuery: false, NodeStatusReport.Build(_runtime)), cancellationToken).ConfigureAwait(false);
    }
}
