using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.Fuse;

/// <summary>
/// One FUSE connection: reader threads blocked in read(2) on /dev/fuse, each taking one whole request per
/// read, dispatching it to the <see cref="IFileSystem"/> and writing exactly one reply per request with one
/// write(2) (FORGET and BATCH_FORGET get none; INTERRUPT gets one only to ask for a retry). The session ends
/// when read(2) fails with ENODEV: the kernel aborted the connection (unmount, or abort via fusectl).
/// </summary>
internal sealed partial class FuseSession : IDisposable
{
    private readonly SafeFileHandle _device;
    private readonly int _fd;
    private readonly IFileSystem _fileSystem;
    private readonly FuseMountOptions _options;
    private readonly ILogger _logger;
    private readonly int _bufferSize;
    private readonly ConcurrentDictionary<ulong, CancellationTokenSource> _inFlight = new();
    private readonly ConcurrentBag<byte[]> _buffers = [];
    private readonly TaskCompletionSource<FuseInitOut> _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread[] _readers;
    private int _runningReaders;
    private int _pendingHandlers;

    // What INIT told about direct I/O (see WithCaching): FUSE_DIRECT_IO_ALLOW_MMAP taken, the kernel's minor.
    private bool _directIoAllowMmap;
    private uint _kernelMinor;

    private volatile bool _stopping;

    public FuseSession(SafeFileHandle device, IFileSystem fileSystem, FuseMountOptions options)
    {
        _device = device;
        _fd = (int)device.DangerousGetHandle();
        _fileSystem = fileSystem;
        _options = options;
        _logger = options.Logger;

        // The kernel refuses reads into a buffer smaller than max_write plus the WRITE headers
        // (fuse_dev_do_read); one page of slack covers fuse_in_header + fuse_write_in.
        _bufferSize = Math.Max(options.MaxWrite + 4096, FuseConstants.MinReadBuffer);
        _readers = new Thread[options.ReaderThreads];
    }

    /// <summary>Completes with the negotiated INIT reply, or fails if the kernel is too old.</summary>
    public Task<FuseInitOut> Initialized => _initialized.Task;

    /// <summary>Completes when every reader thread has seen the connection end.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Requests being handled right now (tests: nothing stays in flight).</summary>
    public int InFlightCount => _inFlight.Count;

    public void Start()
    {
        _runningReaders = _readers.Length;
        for (int i = 0; i < _readers.Length; i++)
        {
            _readers[i] = new Thread(ReadLoop) { IsBackground = true, Name = $"fuse-reader-{i}" };
            _readers[i].Start();
        }
    }

    /// <summary>Cancels every request in flight (their callers get EINTR) and stops answering new ones.</summary>
    public void CancelAll()
    {
        _stopping = true;
        foreach (CancellationTokenSource cts in _inFlight.Values)
        {
            TryCancel(cts);
        }
    }

    /// <summary>Waits until no handler is running (so no reply can race the close of the device).</summary>
    public async Task WaitForHandlersAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _pendingHandlers) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _device.Dispose();

    private static void TryCancel(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The request finished between the lookup and the cancel.
        }
    }

    private void ReadLoop()
    {
        byte[] buffer = RentBuffer();
        try
        {
            while (true)
            {
                nint read = DeviceRead(buffer);
                if (read < 0)
                {
                    int errno = (int)-read;
                    if (errno is FuseErrno.EINTR or FuseErrno.EAGAIN or FuseErrno.ENOENT)
                    {
                        // ENOENT: the request we were about to get was interrupted away; just read on.
                        continue;
                    }

                    if (errno != FuseErrno.ENODEV)
                    {
                        Log.FuseReadFailed(_logger, errno);
                    }

                    break;
                }

                ValueTask handled = DispatchAsync(buffer, (int)read);
                if (handled.IsCompleted)
                {
                    handled.GetAwaiter().GetResult();
                    continue;
                }

                // The handler went asynchronous and still reads this buffer (write data, names): hand it
                // over and read the next request into a fresh one.
                _ = ReturnWhenDoneAsync(handled, buffer);
                buffer = RentBuffer();
            }
        }
        finally
        {
            _buffers.Add(buffer);
            if (Interlocked.Decrement(ref _runningReaders) == 0)
            {
                _initialized.TrySetException(new IOException("the FUSE connection ended before INIT"));
                _completion.TrySetResult();
            }
        }
    }

    private async Task ReturnWhenDoneAsync(ValueTask handled, byte[] buffer)
    {
        try
        {
            await handled.ConfigureAwait(false);
        }
        finally
        {
            _buffers.Add(buffer);
        }
    }

    private byte[] RentBuffer() => _buffers.TryTake(out byte[]? buffer) ? buffer : new byte[_bufferSize];

    /// <summary>read(2) on the device; a negative result is -errno.</summary>
    private nint DeviceRead(byte[] buffer)
    {
        bool added = false;
        try
        {
            _device.DangerousAddRef(ref added);
            nint n = LibC.Read(_fd, buffer, buffer.Length);
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
        catch (ObjectDisposedException)
        {
            return -FuseErrno.ENODEV;
        }
        finally
        {
            if (added)
            {
                _device.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Writes one reply: fuse_out_header then <paramref name="bodyLength"/> bytes already placed at offset 16
    /// of <paramref name="reply"/>, or a bare header carrying -errno. One write(2) per reply, as the kernel
    /// requires. ENOENT means the request is gone (interrupted and abandoned by the kernel): not an error.
    /// </summary>
    private void Reply(FuseOpcode opcode, ulong unique, byte[] reply, int bodyLength, int errno)
    {
        int length = FuseOutHeader.WireSize + (errno == 0 ? bodyLength : 0);
        new FuseOutHeader((uint)length, -errno, unique).Write(reply);
        int error = WriteToDevice(reply, length);
        if (error != 0 && error != FuseErrno.ENOENT && error != FuseErrno.ENODEV)
        {
            Log.FuseReplyFailed(_logger, opcode.ToString(), unique, error);
        }
    }

    /// <summary>
    /// One write(2) of a whole message (a reply or a notification) to /dev/fuse; returns 0 or the errno. A
    /// device already closed under a late handler counts as written: nobody waits for the message any more.
    /// </summary>
    private int WriteToDevice(byte[] message, int length)
    {
        bool added = false;
        try
        {
            _device.DangerousAddRef(ref added);
            return LibC.Write(_fd, message, length) < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            if (added)
            {
                _device.DangerousRelease();
            }
        }
    }

    private void ReplyError(FuseOpcode opcode, ulong unique, int errno)
    {
        byte[] header = ArrayPool<byte>.Shared.Rent(FuseOutHeader.WireSize);
        Reply(opcode, unique, header, 0, errno);
        ArrayPool<byte>.Shared.Return(header);
    }
}
