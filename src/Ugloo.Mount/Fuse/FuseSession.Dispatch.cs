using System.Buffers;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.Fuse;

/// <summary>Request dispatch: the requests with special reply rules (INIT, FORGET, INTERRUPT, DESTROY) and the tracked rest.</summary>
internal sealed partial class FuseSession
{
    /// <summary>Reply buffer for ops with small fixed replies (largest: CREATE, entry_out + open_out = 144).</summary>
    private const int SmallReply = 512;

    /// <summary>
    /// Handles one request read into <paramref name="buffer"/>. Never throws: every failure becomes an error
    /// reply. Completes synchronously when the filesystem does.
    /// </summary>
    private async ValueTask DispatchAsync(byte[] buffer, int length)
    {
        FuseInHeader header;
        ReadOnlyMemory<byte> body;
        try
        {
            header = FuseInHeader.Read(buffer.AsSpan(0, length));

            // total_extlen (7.38) counts 8-byte units of extensions after the op's arguments; we negotiate
            // none (no FUSE_SECURITY_CTX), but skip them if a kernel sends some anyway.
            int bodyLength = length - FuseInHeader.WireSize - (header.TotalExtLength * 8);
            if (header.Length != length || bodyLength < 0)
            {
                throw new FuseProtocolException($"header says {header.Length} bytes, read {length}");
            }

            body = buffer.AsMemory(FuseInHeader.WireSize, bodyLength);
        }
        catch (FuseProtocolException e)
        {
            Log.FuseMalformedRequest(_logger, length, e);
            return;
        }

        try
        {
            switch (header.Opcode)
            {
                case FuseOpcode.Init:
                    HandleInit(header, body.Span);
                    return;
                case FuseOpcode.Forget:
                    await _fileSystem.ForgetAsync(header.NodeId, FuseU64In.Read(body.Span).Value, CancellationToken.None).ConfigureAwait(false);
                    return;
                case FuseOpcode.BatchForget:
                    await BatchForgetAsync(body).ConfigureAwait(false);
                    return;
                case FuseOpcode.Interrupt:
                    HandleInterrupt(header, body.Span);
                    return;
                case FuseOpcode.Destroy:
                    // Sent on unmount before the connection is torn down; the kernel waits for this reply.
                    ReplyError(header.Opcode, header.Unique, 0);
                    return;
            }
        }
#pragma warning disable CA1031 // These requests get no reply to carry an error; log, never kill the reader.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.FuseHandlerFailed(_logger, header.Opcode.ToString(), header.NodeId, e);
            return;
        }

        if (header.Opcode == FuseOpcode.GetXattr && FuseXattrName.IsOutsideUserNamespace(body.Span))
        {
            // Only user.* attributes exist (the IFileSystem contract), so the answer needs no filesystem, no
            // lock and no request tracking. EOPNOTSUPP, not ENODATA: ls -l asks every file for
            // security.selinux and system.posix_acl_access, and stops asking for the rest of the listing
            // once a device says it does not support them (ENODATA made it ask 20,000 times for 10,000
            // files). The kernel does not cache the answer (nor a 'no ACL' without FUSE_POSIX_ACL).
            ReplyError(header.Opcode, header.Unique, FuseErrno.EOPNOTSUPP);
            return;
        }

        await HandleTrackedAsync(header, body).ConfigureAwait(false);
    }

    private async ValueTask HandleTrackedAsync(FuseInHeader header, ReadOnlyMemory<byte> body)
    {
        if (_stopping)
        {
            // Not EINTR: programs retry reads on EINTR (coreutils safe_read) and would spin. ENOTCONN is
            // what the kernel itself answers once a FUSE connection is aborted.
            ReplyError(header.Opcode, header.Unique, FuseErrno.ENOTCONN);
            return;
        }

        // Registered before the filesystem runs so an INTERRUPT read by another thread can find it; removed
        // only after the reply is written, so an INTERRUPT arriving later is answered EAGAIN and the
        // kernel drops it (the request is no longer pending there).
        var cts = new CancellationTokenSource();
        _inFlight[header.Unique] = cts;
        Interlocked.Increment(ref _pendingHandlers);
        byte[]? reply = null;
        int result;
        try
        {
            reply = ArrayPool<byte>.Shared.Rent(FuseOutHeader.WireSize + ReplyCapacity(header.Opcode, body.Span));
            result = await HandleAsync(header, body, reply.AsMemory(FuseOutHeader.WireSize), cts.Token).ConfigureAwait(false);
        }
        catch (FileSystemException e)
        {
            result = -FuseErrno.FromError(e.Error);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            result = -FuseErrno.EINTR;
        }
        catch (FuseProtocolException e)
        {
            Log.FuseMalformedRequest(_logger, body.Length, e);
            result = -FuseErrno.EIO;
        }
#pragma warning disable CA1031 // A filesystem bug must become EIO for this request, not kill the reader thread.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.FuseHandlerFailed(_logger, header.Opcode.ToString(), header.NodeId, e);
            result = -FuseErrno.EIO;
        }

        reply ??= ArrayPool<byte>.Shared.Rent(FuseOutHeader.WireSize);
        try
        {
            Reply(header.Opcode, header.Unique, reply, Math.Max(result, 0), result < 0 ? -result : 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(reply);
            _inFlight.TryRemove(header.Unique, out _);
            cts.Dispose();
            Interlocked.Decrement(ref _pendingHandlers);
        }
    }

    /// <summary>How many reply body bytes a request may need: what the kernel asked for where it says.</summary>
    private static int ReplyCapacity(FuseOpcode opcode, ReadOnlySpan<byte> body) => opcode switch
    {
        FuseOpcode.Read or FuseOpcode.ReadDir or FuseOpcode.ReadDirPlus => (int)Math.Min(FuseIoIn.Read(body).Size, 64u << 20),
        FuseOpcode.GetXattr or FuseOpcode.ListXattr => (int)Math.Max(Math.Min(FuseXattrSize.Read(body).Size, 1u << 20), FuseXattrSize.WireSize),
        FuseOpcode.ReadLink => 4096 * 4,
        _ => SmallReply,
    };

    /// <summary>
    /// INIT: version negotiation (see "Version negotiation" in fuse.h) and capabilities. We answer minor
    /// min(kernel, 38) and refuse kernels below 7.31.
    /// </summary>
    private void HandleInit(FuseInHeader header, ReadOnlySpan<byte> body)
    {
        byte[] reply = ArrayPool<byte>.Shared.Rent(FuseOutHeader.WireSize + FuseInitOut.WireSize);
        try
        {
            FuseInitIn init = FuseInitIn.Read(body);
            if (init.Major > FuseConstants.KernelVersion)
            {
                // A newer major: answer ours and the kernel sends INIT again in our major.
                new FuseInitOut(FuseConstants.KernelVersion, FuseConstants.KernelMinorVersion, 0, 0, 0, 0, 0, 0, 0)
                    .Write(reply.AsSpan(FuseOutHeader.WireSize));
                Reply(header.Opcode, header.Unique, reply, FuseInitOut.WireSize, 0);
                return;
            }

            if (init.Major < FuseConstants.KernelVersion || init.Minor < FuseConstants.MinimumMinorVersion)
            {
                Log.FuseProtocolTooOld(_logger, init.Major, init.Minor, FuseConstants.MinimumMinorVersion);
                Reply(header.Opcode, header.Unique, reply, 0, FuseErrno.EPROTO);
                _initialized.TrySetException(new NotSupportedException(
                    $"the kernel speaks FUSE {init.Major}.{init.Minor}; Ugloo needs 7.{FuseConstants.MinimumMinorVersion} or later"));
                return;
            }

            FuseInitOut result = Negotiate(init, _options.MaxWrite, Environment.SystemPageSize);
            Volatile.Write(ref _directIoAllowMmap, (result.Flags & FuseInitFlags.DirectIoAllowMmap) != 0);
            Volatile.Write(ref _kernelMinor, init.Minor);
            result.Write(reply.AsSpan(FuseOutHeader.WireSize));
            Reply(header.Opcode, header.Unique, reply, FuseInitOut.WireSize, 0);
            _initialized.TrySetResult(result);
        }
        catch (FuseProtocolException e)
        {
            Reply(header.Opcode, header.Unique, reply, 0, FuseErrno.EPROTO);
            _initialized.TrySetException(e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(reply);
        }
    }

    /// <summary>The capabilities we ask for, each only if the kernel offered it.</summary>
    internal static FuseInitOut Negotiate(FuseInitIn init, int maxWrite, int pageSize)
    {
        // DO_READDIRPLUS without READDIRPLUS_AUTO: every batch of a listing carries attributes. With AUTO only
        // the first batch does (ls -l reads the whole directory before its first stat), and every later entry
        // then costs a LOOKUP round trip.
        const FuseInitFlags wanted =
            FuseInitFlags.AsyncRead |          // 7.0: readahead requests in parallel
            FuseInitFlags.AtomicOTrunc |       // 7.9: O_TRUNC handled in OPEN, atomically
            FuseInitFlags.BigWrites |          // 7.9: writes up to max_write, not 4 KiB
            FuseInitFlags.DoReadDirPlus |      // 7.21: listings carry attributes (one round trip for ls -l)
            FuseInitFlags.ParallelDirOps |     // 7.25: lookups/readdir in one directory not serialised
            FuseInitFlags.MaxPages |           // 7.28: max_pages below is honoured
            FuseInitFlags.DirectIoAllowMmap;   // 7.39: write-mostly handles may bypass the page cache (see WithCaching)
        FuseInitFlags granted = init.Flags & wanted;
        if ((ulong)granted >> 32 != 0)
        {
            // The kernel reads the reply's flags2 only when FUSE_INIT_EXT is set in its flags.
            granted |= FuseInitFlags.InitExt;
        }

        ushort maxPages = (ushort)Math.Min((maxWrite + pageSize - 1) / pageSize, ushort.MaxValue);
        return new FuseInitOut(
            FuseConstants.KernelVersion,
            Math.Min(init.Minor, FuseConstants.KernelMinorVersion),
            init.MaxReadahead,
            granted,
            MaxBackground: 64,
            CongestionThreshold: 48,
            MaxWrite: (uint)maxWrite,
            TimeGranularity: 1,
            MaxPages: maxPages);
    }

    /// <summary>
    /// INTERRUPT (7.7): cancel the named request's token; its handler then replies EINTR (or its result, if
    /// it finished anyway). A request we do not know (not yet registered, or already answered) gets EAGAIN
    /// on the INTERRUPT's own unique, which makes the kernel queue the interrupt again if the request is
    /// still pending and drop it otherwise.
    /// </summary>
    private void HandleInterrupt(FuseInHeader header, ReadOnlySpan<byte> body)
    {
        ulong target = FuseU64In.Read(body).Value;
        if (_inFlight.TryGetValue(target, out CancellationTokenSource? cts))
        {
            Log.FuseInterrupt(_logger, target, "cancelled");
            TryCancel(cts);
            return;
        }

        Log.FuseInterrupt(_logger, target, "not in flight, EAGAIN");
        ReplyError(header.Opcode, header.Unique, FuseErrno.EAGAIN);
    }

    private async ValueTask BatchForgetAsync(ReadOnlyMemory<byte> body)
    {
        int count = FuseBatchForget.ReadCount(body.Span);
        for (int i = 0; i < count; i++)
        {
            (ulong node, ulong lookups) = FuseBatchForget.ReadItem(body.Span, i);
            await _fileSystem.ForgetAsync(node, lookups, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
