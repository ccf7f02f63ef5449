using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Swarm;

internal sealed partial class PeerClient
{
    /// <summary>One request awaiting its answer; fetches also assemble their chunks here.</summary>
    private sealed class PendingRequest(Memory<byte>? destination)
    {
        private long _received;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlySet<Objects.FragmentId>? Held { get; set; }

        public IReadOnlyDictionary<string, long>? Figures { get; set; }

        /// <summary>
        /// Copies one ugloo_fetch_data chunk into place. Chunks must arrive in order and fill exactly the
        /// asked length; a node that says the fragment has another length than the manifest is wrong
        /// (or lying), so the fetch fails as if the node did not hold it.
        /// </summary>
        public void Accept(string address, UglooFetchData data)
        {
            if (!data.Ok)
            {
                Completion.TrySetException(new PeerRequestException(address, data.Error!, data.Reason ?? ""));
                return;
            }

            if (destination is not Memory<byte> target || data.TotalLength != target.Length || data.Offset != _received || data.Data.Length > target.Length - _received)
            {
                Completion.TrySetException(new PeerRequestException(address, UglooErrorCodes.NotFound, "the node sent a fragment of another length or out of order"));
                return;
            }

            data.Data.Span.CopyTo(target.Span[(int)_received..]);
            _received += data.Data.Length;
            if (_received == target.Length)
            {
                Completion.TrySetResult();
            }
        }
    }
}
