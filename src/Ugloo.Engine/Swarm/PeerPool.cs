using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ugloo.Engine.Swarm;

/// <summary>
/// One multiplexed connection per node address, dialled on first use and again after it breaks.
/// Concurrent callers for the same address share one dial.
/// </summary>
internal sealed class PeerPool : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Task<PeerClient>> _clients = new(StringComparer.Ordinal);
    private readonly SwarmCredentials _credentials;
    private readonly ILogger _logger;
    private readonly TimeSpan _connectTimeout;

    public PeerPool(SwarmCredentials credentials, ILogger logger, TimeSpan connectTimeout)
    {
        _credentials = credentials;
        _logger = logger;
        _connectTimeout = connectTimeout;
    }

    /// <exception cref="PeerUnavailableException">The node cannot be reached.</exception>
    public async Task<PeerClient> GetAsync(string address, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<PeerClient> dial = _clients.GetOrAdd(address, a => PeerClient.ConnectAsync(a, _credentials, _logger, _connectTimeout, CancellationToken.None));
            PeerClient client;
            try
            {
                client = await dial.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Forget the failed dial so the next caller tries again.
                _clients.TryRemove(new KeyValuePair<string, Task<PeerClient>>(address, dial));
                throw;
            }

            if (client.IsOpen)
            {
                return client;
            }

            if (_clients.TryRemove(new KeyValuePair<string, Task<PeerClient>>(address, dial)))
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Task<PeerClient> dial in _clients.Values)
        {
            try
            {
                PeerClient client = await dial.ConfigureAwait(false);
                await client.DisposeAsync().ConfigureAwait(false);
            }
            catch (PeerUnavailableException)
            {
            }
        }

        _clients.Clear();
    }
}
