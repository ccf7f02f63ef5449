namespace Ugloo.Engine.Objects;

/// <summary>
/// Computes a <see cref="FragmentId"/> over bytes that arrive in pieces (a fragment streamed to disk, a
/// file re-read by scrub). Gives the same id as <see cref="FragmentId.Compute"/> over the whole.
/// </summary>
public sealed class FragmentHasher : IDisposable
{
    private readonly Blake3.Hasher _hasher = Blake3.Hasher.New();

    public void Append(ReadOnlySpan<byte> data) => _hasher.Update(data);

    /// <summary>The id of everything appended since creation or the last call; starts over afterwards.</summary>
    public FragmentId Finish()
    {
        Span<byte> digest = stackalloc byte[FragmentId.Size];
        _hasher.Finalize(digest);
        _hasher.Reset();
        return new FragmentId(digest);
    }

    public void Dispose() => _hasher.Dispose();
}
