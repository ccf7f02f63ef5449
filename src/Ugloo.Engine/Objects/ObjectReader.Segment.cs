using Ugloo.Engine.Codec;
using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Objects;

/// <summary>Fetching, verifying, decoding and opening one segment.</summary>
public sealed partial class ObjectReader
{
    /// <summary>
    /// Decrypts segment <paramref name="segmentIndex"/> whole into <paramref name="destination"/>, which must be
    /// exactly its plaintext length: the fragments are fetched, verified and (when some are bad or missing)
    /// decoded as for any read, but the plaintext goes straight to the caller's memory.
    /// </summary>
    /// <remarks>
    /// Against <see cref="ReadAtAsync"/> of the same range this saves a copy of the segment and the wiping of
    /// the pooled buffer, which then only ever held ciphertext: the mount's CPU in a cold sequential read fell
    /// by a tenth (docs/BENCHMARKS.md "Session 6").
    /// </remarks>
    public async Task ReadSegmentAsync(int segmentIndex, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(segmentIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(segmentIndex, Manifest.SegmentCount);
        ArgumentOutOfRangeException.ThrowIfNotEqual(destination.Length, Manifest.PlaintextLength(segmentIndex), nameof(destination));
        int sealedLength = Manifest.SealedLength(segmentIndex);
        byte[] buffer = await FetchSealedAsync(segmentIndex, cancellationToken).ConfigureAwait(false);
        try
        {
            Open(segmentIndex, buffer.AsSpan(0, sealedLength), destination.Span);
        }
        finally
        {
            _pool.Return(buffer);
        }
    }

    private async Task<DecodedSegment> ReadSegmentAsync(int segmentIndex, CancellationToken cancellationToken)
    {
        int sealedLength = Manifest.SealedLength(segmentIndex);
        byte[] buffer = await FetchSealedAsync(segmentIndex, cancellationToken).ConfigureAwait(false);
        bool done = false;
        try
        {
            Span<byte> sealedSegment = buffer.AsSpan(0, sealedLength);
            Open(segmentIndex, sealedSegment, sealedSegment[..^SegmentCipher.TagSize]);
            done = true;
            return new DecodedSegment(segmentIndex, buffer, sealedLength - SegmentCipher.TagSize);
        }
        finally
        {
            if (!done)
            {
                ReturnPlaintext(buffer);
            }
        }
    }

    private void Open(int segmentIndex, ReadOnlySpan<byte> sealedSegment, Span<byte> plaintext)
    {
        ObjectManifest manifest = Manifest;
        using var cipher = new SegmentCipher(_key, manifest.ObjectId);
        try
        {
            cipher.Open(segmentIndex, manifest.GetGeneration(segmentIndex), segmentIndex == manifest.SegmentCount - 1, sealedSegment, plaintext);
        }
        catch (SegmentAuthenticationException)
        {
            Log.SegmentAuthenticationFailed(_logger, manifest.ObjectId, segmentIndex);
            throw;
        }
    }

    /// <summary>
    /// The sealed segment (ciphertext and tag) in a buffer rented from the pool, the caller's to return: the k
    /// data fragments back to back, each verified against its id, bad or missing ones rebuilt from parity.
    /// </summary>
    private async Task<byte[]> FetchSealedAsync(int segmentIndex, CancellationToken cancellationToken)
    {
        ObjectManifest manifest = Manifest;
        int k = manifest.DataFragments;
        int n = manifest.TotalFragments;
        int fragmentLength = manifest.FragmentLength(segmentIndex);

        // The k data fragments land directly in one buffer, back to back: that is the sealed segment.
        byte[] buffer = _pool.Rent(k * fragmentLength);
        byte[]? parity = null;
        bool done = false;
        try
        {
            var outcomes = new FetchOutcome[n];
            var wave = new Task<FetchOutcome>[k];
            for (int i = 0; i < k; i++)
            {
                wave[i] = FetchAsync(new FragmentAddress(segmentIndex, i), buffer.AsMemory(i * fragmentLength, fragmentLength), cancellationToken);
            }

            await Collect(wave, 0, outcomes).ConfigureAwait(false);
            int good = outcomes.AsSpan(0, k).Count(FetchOutcome.Good);

            if (good < k)
            {
                // Each wave asks for exactly as many parity fragments as are still missing.
                parity = n > k ? _pool.Rent((n - k) * fragmentLength) : null;
                int nextParity = k;
                while (good < k && nextParity < n)
                {
                    int count = Math.Min(k - good, n - nextParity);
                    var parityWave = new Task<FetchOutcome>[count];
                    for (int j = 0; j < count; j++)
                    {
                        int index = nextParity + j;
                        parityWave[j] = FetchAsync(new FragmentAddress(segmentIndex, index), parity!.AsMemory((index - k) * fragmentLength, fragmentLength), cancellationToken);
                    }

                    await Collect(parityWave, nextParity, outcomes).ConfigureAwait(false);
                    good += outcomes.AsSpan(nextParity, count).Count(FetchOutcome.Good);
                    nextParity += count;
                }

                if (good < k)
                {
                    int corrupt = outcomes.AsSpan().Count(FetchOutcome.Corrupt);
                    Log.SegmentUnavailable(_logger, manifest.ObjectId, segmentIndex, good, k);
                    throw new InsufficientFragmentsException(
                        k,
                        good,
                        $"Segment {segmentIndex} of object {manifest.ObjectId} cannot be read: {k - good} fragment(s) missing ({good} good of the {k} needed; of {n} fragments {corrupt} were corrupt and {n - good - corrupt} unavailable).");
                }

                int missingData = k - outcomes.AsSpan(0, k).Count(FetchOutcome.Good);
                Reconstruct(outcomes, buffer, parity, fragmentLength, k);
                Log.SegmentReconstructed(_logger, manifest.ObjectId, segmentIndex, missingData);
            }

            done = true;
            return buffer;
        }
        finally
        {
            if (parity is not null)
            {
                _pool.Return(parity);
            }

            if (!done)
            {
                // Ciphertext only: nothing to wipe.
                _pool.Return(buffer);
            }
        }
    }

    /// <summary>Rebuilds the missing data fragments in place from the first k good fragments.</summary>
    private void Reconstruct(FetchOutcome[] outcomes, byte[] buffer, byte[]? parity, int fragmentLength, int k)
    {
        var availableIndices = new int[k];
        var available = new ReadOnlyMemory<byte>[k];
        int a = 0;
        for (int i = 0; i < outcomes.Length && a < k; i++)
        {
            if (outcomes[i] == FetchOutcome.Good)
            {
                availableIndices[a] = i;
                available[a] = i < k
                    ? buffer.AsMemory(i * fragmentLength, fragmentLength)
                    : parity!.AsMemory((i - k) * fragmentLength, fragmentLength);
                a++;
            }
        }

        var wantedIndices = new List<int>();
        var wanted = new List<Memory<byte>>();
        for (int i = 0; i < k; i++)
        {
            if (outcomes[i] != FetchOutcome.Good)
            {
                wantedIndices.Add(i);
                wanted.Add(buffer.AsMemory(i * fragmentLength, fragmentLength));
            }
        }

        _codec.Reconstruct(availableIndices, available, wantedIndices.ToArray(), wanted.ToArray());
    }

    private async Task<FetchOutcome> FetchAsync(FragmentAddress address, Memory<byte> destination, CancellationToken cancellationToken)
    {
        FragmentId expected = Manifest.GetFragmentId(address);
        if (!await _source.TryFetchAsync(address, expected, destination, cancellationToken).ConfigureAwait(false))
        {
            return FetchOutcome.Missing;
        }

        FragmentId actual = FragmentId.Compute(destination.Span);
        if (actual == expected)
        {
            return FetchOutcome.Good;
        }

        Log.FragmentRejected(_logger, Manifest.ObjectId, address.SegmentIndex, address.FragmentIndex, expected, actual);
        FragmentRejected?.Invoke(this, new FragmentRejectedEventArgs(Manifest.ObjectId, address, expected, actual));
        return FetchOutcome.Corrupt;
    }

    private static async Task Collect(Task<FetchOutcome>[] wave, int firstIndex, FetchOutcome[] outcomes)
    {
        FetchOutcome[] results = await Task.WhenAll(wave).ConfigureAwait(false);
        results.CopyTo(outcomes, firstIndex);
    }

    private enum FetchOutcome
    {
        NotTried,
        Good,
        Missing,
        Corrupt,
    }
}
