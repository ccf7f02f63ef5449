using System.Collections.Concurrent;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Swarm;

/// <summary>ugloo_root_put and ugloo_root_get: the catalog root pointers a node keeps (docs/PROTOCOL.md).</summary>
internal sealed partial class PeerClient
{
    // Answers parked by rid until the caller wakes up; the PendingRequest carries completion and failure.
    private readonly ConcurrentDictionary<long, object> _rootAnswers = new();

    /// <summary>Offers a signed root pointer; returns the node's answer (accepted, stale with the sequence it holds, or refused).</summary>
    public async Task<UglooRootPut> PutRootAsync(ReadOnlyMemory<byte> pointer, CancellationToken cancellationToken)
    {
        var pending = new PendingRequest(null);
        long rid = Register(pending);
        try
        {
            await SendAsync(UglooRootPut.Request(rid, pointer), cancellationToken).ConfigureAwait(false);
            await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return (UglooRootPut)_rootAnswers[rid];
        }
        finally
        {
            _pending.TryRemove(rid, out _);
            _rootAnswers.TryRemove(rid, out _);
        }
    }

    /// <summary>The pointer the node holds for <paramref name="volumeId"/> (unverified: the caller checks it), or null.</summary>
    public async Task<byte[]?> GetRootAsync(byte[] volumeId, CancellationToken cancellationToken)
    {
        var pending = new PendingRequest(null);
        long rid = Register(pending);
        try
        {
            await SendAsync(UglooRootGet.Query(rid, volumeId), cancellationToken).ConfigureAwait(false);
            await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            var answer = (UglooRootGet)_rootAnswers[rid];
            return answer.Error is null ? answer.Data.ToArray() : null;
        }
        finally
        {
            _pending.TryRemove(rid, out _);
            _rootAnswers.TryRemove(rid, out _);
        }
    }

    private void OnRootAnswer(string name, ReadOnlyMemory<byte> payload)
    {
        (long rid, bool query, object answer) = name == ExtensionNames.RootPut
            ? Decoded(ExtensionCodec.Decode<UglooRootPut>(payload))
            : Decoded(ExtensionCodec.Decode<UglooRootGet>(payload));

        // The payload is only valid during this call: keep a copy of any pointer bytes.
        if (answer is UglooRootGet { Error: null } found)
        {
            answer = UglooRootGet.Found(found.RequestId, found.VolumeId, found.Data.ToArray());
        }

        if (!query && _pending.TryGetValue(rid, out PendingRequest? pending))
        {
            _rootAnswers[rid] = answer;
            pending.Completion.TrySetResult();
        }
    }

    private static (long, bool, object) Decoded(UglooRootPut m) => (m.RequestId, m.IsQuery, m);

    private static (long, bool, object) Decoded(UglooRootGet m) => (m.RequestId, m.IsQuery, m);
}
