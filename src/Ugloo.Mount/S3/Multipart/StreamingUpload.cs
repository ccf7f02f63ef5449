using Ugloo.Engine.Objects;

namespace Ugloo.Mount.S3.Multipart;

/// <summary>
/// Stores a multipart upload's parts in the swarm while they arrive, so complete has (almost) nothing left to
/// do: a background object writer reads the staged parts in number order, waiting for the next one to be
/// committed. This is only a head start. Complete uses its result only when the parts it read are exactly
/// the parts complete lists (numbers 1..N, same ETags, same staged files); otherwise (gaps, a part replaced
/// after it was read, extra parts, the writer failed) it is cancelled and complete streams the parts again.
/// Either way a version is recorded only by complete, so the rules of a failed request are unchanged; a
/// cancelled head start leaves at most orphan fragments, as a client that disconnects does.
/// </summary>
internal sealed class StreamingUpload : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, PartInfo> _committed = [];
    private readonly List<PartInfo> _consumed = [];
    private readonly CancellationTokenSource _cancel = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<Stream, CancellationToken, Task<ObjectWriteResult>> _write;
    private Task<ObjectWriteResult>? _writer;
    private int _last = int.MaxValue;
    private bool _replaced;

    /// <param name="write">Stores a stream in the swarm (the gateway's object writer).</param>
    public StreamingUpload(Func<Stream, CancellationToken, Task<ObjectWriteResult>> write)
    {
        _write = write;
    }

    /// <summary>A part was committed (received and verified) under <paramref name="part"/>'s number.</summary>
    public void Committed(PartInfo part)
    {
        lock (_gate)
        {
            if (_consumed.Count >= part.Number && _consumed[part.Number - 1].Path != part.Path)
            {
                // Replaced after the writer read it: the head start can no longer be used.
                _replaced = true;
            }

            _committed[part.Number] = part;
            Signal();

            // Started with the first part, not at create: an upload nobody sends parts to holds no writer.
            if (_writer is null && !_replaced)
            {
                var input = new FeedStream(this);
                CancellationToken token = _cancel.Token;
                _writer = Task.Run(() => _write(input, token), CancellationToken.None);

                // A head start that is never used must not surface as an unobserved exception.
                _ = _writer.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }

        if (_replaced)
        {
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Complete or abort already stopped it.
            }
        }
    }

    /// <summary>
    /// The stored object when the head start read exactly <paramref name="parts"/>; null when complete must
    /// stream the parts itself.
    /// </summary>
    public async Task<ObjectWriteResult?> FinishAsync(IReadOnlyList<PartInfo> parts, CancellationToken cancellationToken)
    {
        Task<ObjectWriteResult>? writer;
        lock (_gate)
        {
            bool contiguous = parts.Select((p, i) => p.Number == i + 1).All(x => x);
            writer = _writer;
            if (writer is null || _replaced || !contiguous || _consumed.Count > parts.Count)
            {
                return null;
            }

            _last = parts.Count;
            Signal();
        }

        ObjectWriteResult result;
        try
        {
            result = await writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The writer failed (nodes down, a part replaced while read, …): complete retries and reports.
            return null;
        }

        lock (_gate)
        {
            bool same = _consumed.Count == parts.Count && _consumed.Zip(parts).All(p => p.First.Path == p.Second.Path && p.First.ETag == p.Second.ETag);
            return same && !_replaced ? result : null;
        }
    }

    /// <summary>Stops the head start (abort, or complete done with it).</summary>
    public void Dispose()
    {
        _cancel.Cancel();
        _cancel.Dispose();
    }

    private void Signal()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The next part to read, or null at the end (complete said how many); waits for it to be committed.</summary>
    private async Task<PartInfo?> NextPartAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                int next = _consumed.Count + 1;
                if (next > _last)
                {
                    return null;
                }

                if (_committed.TryGetValue(next, out PartInfo? part))
                {
                    _consumed.Add(part);
                    return part;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The committed parts one after another, as one stream that waits for the next part.</summary>
    private sealed class FeedStream(StreamingUpload upload) : Stream
    {
        private FileStream? _current;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously: the next part may not have arrived yet.");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (_current is null)
                {
                    PartInfo? part = await upload.NextPartAsync(cancellationToken).ConfigureAwait(false);
                    if (part is null)
                    {
                        return 0;
                    }

                    // No FileStream buffer: the writer reads whole segments, straight into its own buffer.
                    _current = new FileStream(part.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 0, FileOptions.SequentialScan | FileOptions.Asynchronous);
                }

                int n = await _current.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n > 0)
                {
                    return n;
                }

                await _current.DisposeAsync().ConfigureAwait(false);
                _current = null;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _current?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
