using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Swarm;

internal sealed partial class PeerClient
{
    /// <summary>Asks the node for its health figures (ugloo_status; names in docs/PROTOCOL.md).</summary>
    /// <exception cref="PeerUnavailableException">The connection broke.</exception>
    public Task<IReadOnlyDictionary<string, long>> StatusAsync(CancellationToken cancellationToken) => StatusAsync(drain: null, cancellationToken);

    /// <summary>
    /// Starts (<paramref name="drain"/> true) or stops (false) draining the node, then returns its figures
    /// (the node answers only members and clients holding the cluster key).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> StatusAsync(bool? drain, CancellationToken cancellationToken)
    {
        if (!_connection.Supports(ExtensionNames.Status))
        {
            throw new PeerRequestException(Address, UglooErrorCodes.BadRequest, "the node does not serve ugloo_status (an older version)");
        }

        var pending = new PendingRequest(null);
        long rid = Register(pending);
        try
        {
            await SendAsync(new UglooStatus(rid, isQuery: true, drain: drain), cancellationToken).ConfigureAwait(false);
            await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return pending.Figures ?? new Dictionary<string, long>();
        }
        finally
        {
            _pending.TryRemove(rid, out _);
        }
    }

    private void OnStatus(ReadOnlyMemory<byte> payload)
    {
        UglooStatus status = ExtensionCodec.Decode<UglooStatus>(payload);
        if (!status.IsQuery && _pending.TryGetValue(status.RequestId, out PendingRequest? query))
        {
            query.Figures = status.Figures;
            query.Completion.TrySetResult();
        }
    }
}
