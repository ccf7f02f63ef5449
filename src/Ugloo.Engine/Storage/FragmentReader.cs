using Microsoft.Win32.SafeHandles;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Storage;

/// <summary>
/// An open fragment for unverified range reads (from <see cref="FragmentStore.TryOpenRead"/>). Positional
/// reads, so concurrent reads of different ranges are safe.
/// </summary>
public sealed class FragmentReader : IDisposable
{
    private readonly SafeFileHandle _handle;

    internal FragmentReader(FragmentId id, SafeFileHandle handle, long length)
    {
        Id = id;
        _handle = handle;
        Length = length;
    }

    public FragmentId Id { get; }

    public long Length { get; }

    /// <summary>Reads up to destination.Length bytes at <paramref name="offset"/>; fewer only at the end.</summary>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        int done = 0;
        while (done < destination.Length)
        {
            int read = await RandomAccess.ReadAsync(_handle, destination[done..], offset + done, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            done += read;
        }

        return done;
    }

    public void Dispose() => _handle.Dispose();
}
