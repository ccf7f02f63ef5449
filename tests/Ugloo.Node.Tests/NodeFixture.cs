using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests;

/// <summary>
/// One node shared by the tests of a class (each class gets its own), with a short handshake deadline so
/// the stalled-peer test does not wait 10 s. Tests on it use distinct random fragments, so they do not
/// interfere.
/// </summary>
public sealed class NodeFixture : IAsyncLifetime
{
    private readonly TempDirectory _keys = new();
    private NodeProcess? _node;
    private byte[] _key = [];

    internal NodeProcess Node => _node ?? throw new InvalidOperationException("not started");

    internal byte[] ClusterKey => _key;

    internal string ClusterKeyPath { get; private set; } = "";

    internal SwarmCredentials ClientCredentials { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        ClusterKeyPath = NodeProcess.CreateClusterKey(_keys.Path, out _key);
        ClientCredentials = SwarmCredentials.ForClient(_key);
        _node = await NodeProcess.StartAsync(ClusterKeyPath, CancellationToken.None, "--handshake-timeout", "2s");
    }

    public async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        ClientCredentials?.Dispose();
        _keys.Dispose();
    }
}
