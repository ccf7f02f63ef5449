using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;

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
    private readonly Socket? _socket;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public PeerFrameWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _socket = (stream as NetworkStream)?.Socket;
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

    /// <summary>
    /// Writes an extended message without copying its data part: the frame's first bytes (length prefix, ids,
    /// bencoded header) go in a small pooled buffer and the kernel gathers both parts in one send. The data
    /// is read while the send runs, so the caller must keep it unchanged until the returned task completes
    /// (a node answering a fetch from its own buffer does; an upload whose buffer may be reclaimed does not
    /// and uses <see cref="WriteAsync{TMessage}"/>). Over a stream that is not a socket's, the message is
    /// copied as <see cref="WriteAsync{TMessage}"/> does.
    /// </summary>
    public async ValueTask WriteBorrowingAsync(ExtendedMessage message, CancellationToken cancellationToken)
    {
        if (_socket is null || message.Data.IsEmpty || !MemoryMarshal.TryGetArray(message.Data, out ArraySegment<byte> data))
        {
            await WriteAsync(message, cancellationToken).ConfigureAwait(false);
            return;
        }

        int headLength = message.WireLength - message.Data.Length;
        byte[] head = ArrayPool<byte>.Shared.Rent(headLength);
        try
        {
            message.EncodeHead(head.AsSpan(0, headLength));
            ArraySegment<byte>[] parts = [new(head, 0, headLength), data];
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await SendAllAsync(parts, headLength + data.Count, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// Sends every byte of <paramref name="parts"/>, with the errors a <see cref="NetworkStream"/> write would
    /// raise (an <see cref="IOException"/> wrapping the socket error), so callers handle both paths alike.
    /// A gathered send takes no token; cancelling closes the socket instead, which ends the send before the
    /// caller's buffers are released (a frame cut short would leave the stream unusable anyway).
    /// </summary>
    private async ValueTask SendAllAsync(ArraySegment<byte>[] parts, int total, CancellationToken cancellationToken)
    {
        Socket socket = _socket!;
        using CancellationTokenRegistration closeOnCancel = cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
        int sent = 0;
        try
        {
            while (true)
            {
                sent += await socket.SendAsync(parts, SocketFlags.None).ConfigureAwait(false);
                if (sent >= total)
                {
                    return;
                }

                // A stream socket's send returns once all was taken, but a short count is legal: go on from there.
                parts = Remaining(parts, sent);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (SocketException e)
        {
            throw new IOException($"Unable to write data to the transport connection: {e.Message}", e);
        }
    }

    /// <summary>What is left of <paramref name="parts"/> after the first <paramref name="sent"/> bytes.</summary>
    internal static ArraySegment<byte>[] Remaining(ArraySegment<byte>[] parts, int sent)
    {
        var left = new List<ArraySegment<byte>>(parts.Length);
        foreach (ArraySegment<byte> part in parts)
        {
            if (sent >= part.Count)
            {
                sent -= part.Count;
                continue;
            }

            left.Add(part[sent..]);
            sent = 0;
        }

        return [.. left];
    }

    private readonly struct HandshakeFrame(PeerHandshake handshake) : IPeerMessage
    {
        public int WireLength => PeerHandshake.Length;

        public void Encode(Span<byte> destination) => handshake.Encode(destination);
    }
}
