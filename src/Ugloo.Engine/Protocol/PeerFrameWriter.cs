using System.Buffers;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// Frames messages onto one connection's stream. Several senders (the request handler answering
/// fetches, the repair loop pushing manifests, keep-alive timers) share one connection; a
/// <see cref="SemaphoreSlim"/> keeps their frames whole and in order of entry. Each message is
/// encoded into a pooled buffer before the lock is taken, so the lock covers only the write.
/// </summary>
internal sealed class PeerFrameWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public PeerFrameWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    public ValueTask WriteHandshakeAsync(PeerHandshake handshake, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handshake);
        return WriteAsync(new HandshakeFrame(handshake), cancellationToken);
    }

    /// <summary>Encodes and writes one message, then flushes.</summary>
    public async ValueTask WriteAsync<TMessage>(TMessage message, CancellationToken cancellationToken)
        where TMessage : IPeerMessage
    {
        int length = message.WireLength;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            message.Encode(buffer.AsSpan(0, length));
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _gate.Dispose();

    private readonly struct HandshakeFrame(PeerHandshake handshake) : IPeerMessage
    {
        public int WireLength => PeerHandshake.Length;

        public void Encode(Span<byte> destination) => handshake.Encode(destination);
    }
}
