namespace Ugloo.Engine.Objects;

/// <summary>Supplies fragments to an <see cref="ObjectReader"/> (the swarm client, a local cache, a test store).</summary>
public interface IFragmentSource
{
    /// <summary>
    /// Fills <paramref name="destination"/> (exactly the fragment's length) with the fragment's bytes and
    /// returns true, or returns false when it cannot get the fragment. The reader verifies the bytes
    /// against <paramref name="id"/> itself, so a source need not (but may) check. Called concurrently.
    /// Exceptions other than cancellation fail the read; report unreachable nodes as false instead.
    /// </summary>
    public ValueTask<bool> TryFetchAsync(FragmentAddress address, FragmentId id, Memory<byte> destination, CancellationToken cancellationToken);
}
