using System.Buffers;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// Reads the handshake and then length-prefixed messages from one connection's stream, one at a
/// time. Not thread-safe: one receive loop owns it.
/// <para>
/// Buffering: a receive buffer rented from <see cref="ArrayPool{T}"/> (default 64 KiB, which holds
/// several 16 KiB piece messages) is filled with as much as the socket has. A frame that is
/// complete in the buffer is returned synchronously, with no await. A larger frame (a 1 MiB
/// DeepTorrent chunk) gets a bigger rented buffer only after its length prefix and id passed
/// <see cref="PeerWire.TryParseFrame"/>, so a hostile prefix costs no memory; the big buffer goes
/// back to the pool when the next read finds it drained.
/// </para>
/// <para>
/// Lifetime: a returned <see cref="PeerFrame"/>'s payload is valid until the next call on this
/// reader. Handlers finish with it (or copy it) before asking for the next frame.
/// </para>
/// </summary>
internal sealed class PeerFrameReader : IDisposable
{
    public const int DefaultBufferSize = 64 << 10;

    private readonly Stream _stream;
    private readonly PeerWireLimits _limits;
    private readonly int _defaultSize;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _consumeOnNext;

    // Set while a stream read into _buffer is pending. Dispose may come from another task (the
    // connection closing under a blocked receive loop); the buffer must not go back to the pool
    // while the socket may still write into it, so then it is left to the GC.
    private volatile bool _reading;

    public PeerFrameReader(Stream stream, PeerWireLimits? limits = null, int bufferSize = DefaultBufferSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, PeerHandshake.Length);
        _stream = stream;
        _limits = limits ?? PeerWireLimits.Default;
        _limits.Validate();
        _defaultSize = bufferSize;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    /// <summary>Bytes received but not yet returned as frames (for tests and diagnostics).</summary>
    public int BufferedCount => _end - _start - _consumeOnNext;

    /// <summary>Current receive buffer capacity (for tests: proves a hostile prefix did not grow it).</summary>
    internal int BufferCapacity => _buffer.Length;

    /// <summary>
    /// Reads the 68-byte BEP 3 handshake. Rejects a peer at the first byte that cannot begin a
    /// BitTorrent handshake. Throws <see cref="EndOfStreamException"/> if the stream ends first.
    /// </summary>
    public async ValueTask<PeerHandshake> ReadHandshakeAsync(CancellationToken cancellationToken)
    {
        Consume();
        while (_end - _start < PeerHandshake.Length)
        {
            PeerHandshake.ValidatePrefix(_buffer.AsSpan(_start, _end - _start));
            EnsureCapacity(PeerHandshake.Length);
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new EndOfStreamException("The peer closed the connection during the handshake.");
            }
        }

        PeerHandshake handshake = PeerHandshake.Decode(_buffer.AsSpan(_start, PeerHandshake.Length));
        _start += PeerHandshake.Length;
        return handshake;
    }

    /// <summary>
    /// Returns the next message, or null when the peer closed the connection cleanly between
    /// messages. Throws <see cref="PeerProtocolException"/> on a malformed or oversized message and
    /// <see cref="EndOfStreamException"/> when the stream ends inside one.
    /// </summary>
    public ValueTask<PeerFrame?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        Consume();
        if (TryTakeFrame(out PeerFrame frame, out _))
        {
            return new ValueTask<PeerFrame?>(frame); // synchronous fast path: the frame was buffered
        }

        return ReadFrameSlowAsync(cancellationToken);
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _start = _end = _consumeOnNext = 0;
        if (buffer.Length > 0 && !_reading)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<PeerFrame?> ReadFrameSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTakeFrame(out PeerFrame frame, out int needed))
            {
                return frame;
            }

            // needed is bounded by 4 + MaxFrameLength: the prefix was validated by TryParseFrame.
            EnsureCapacity(needed);
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_end == _start)
                {
                    return null;
                }

                throw new EndOfStreamException($"The peer closed the connection inside a message ({_end - _start} of {needed} bytes).");
            }
        }
    }

    private bool TryTakeFrame(out PeerFrame frame, out int needed)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        if (!PeerWire.TryReadFrame(_buffer.AsMemory(_start, _end - _start), _limits, out frame, out needed))
        {
            return false;
        }

        _consumeOnNext = needed;
        return true;
    }

    private void Consume()
    {
        _start += _consumeOnNext;
        _consumeOnNext = 0;
        if (_start == _end)
        {
            _start = _end = 0;
            if (_buffer.Length > _defaultSize * 2)
            {
                // The large frame has been handled: give its buffer back.
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(_defaultSize);
            }
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        _reading = true;
        int read;
        try
        {
            read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reading = false;
        }

        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        _end += read;
        return read > 0;
    }

    /// <summary>Makes room for <paramref name="needed"/> bytes from <c>_start</c> plus at least one more to read.</summary>
    private void EnsureCapacity(int needed)
    {
        int available = _end - _start;
        if (_buffer.Length - _start >= needed && _end < _buffer.Length)
        {
            return;
        }

        if (_buffer.Length >= needed)
        {
            // Compact: move the partial frame to the front.
            _buffer.AsSpan(_start, available).CopyTo(_buffer);
        }
        else
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(needed);
            _buffer.AsSpan(_start, available).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        _start = 0;
        _end = available;
    }
}
