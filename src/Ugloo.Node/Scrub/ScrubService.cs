using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Storage;
using Ugloo.Node.Hosting;

namespace Ugloo.Node.Scrub;

/// <summary>
/// Re-hashes every fragment the node holds, one full pass per scrub interval, paced to the scrub rate
/// (DESIGN.md "Check / rebuild"). A fragment whose bytes no longer hash to its id is quarantined by the store
/// and is from then on missing: fetches answer not_found and repair rebuilds it elsewhere. A pass starts from
/// the beginning after a restart (no saved position).
/// </summary>
internal sealed class ScrubService : BackgroundService
{
    private readonly NodeRuntime _runtime;
    private readonly ILogger<ScrubService> _logger;
    private readonly IHostApplicationLifetime _lifetime;

    public ScrubService(NodeRuntime runtime, ILogger<ScrubService> logger, IHostApplicationLifetime lifetime)
    {
        _runtime = runtime;
        _logger = logger;
        _lifetime = lifetime;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ScrubOptions options = _runtime.Options.Scrub;
        var throttle = new ByteThrottle(options.RateValue);
        try
        {
            await Task.Delay(options.FirstPassDelay, stoppingToken).ConfigureAwait(false);
            while (true)
            {
                await PassAsync(throttle, stoppingToken).ConfigureAwait(false);
                await Task.Delay(options.IntervalValue, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.ServiceFailed(_logger, nameof(ScrubService), e);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
            throw;
        }
    }

    private async Task PassAsync(ByteThrottle throttle, CancellationToken cancellationToken)
    {
        FragmentStore store = _runtime.Store;
        ScrubProgress progress = _runtime.Scrub;
        IReadOnlyList<FragmentId> ids = store.GetFragmentIds();
        long total = 0;
        foreach (FragmentId id in ids)
        {
            total += store.TryGetLength(id, out long length) ? length : 0;
        }

        progress.BeginPass(ids.Count, total);
        long errorsBefore = progress.Errors;
        foreach (FragmentId id in ids)
        {
            if (!store.TryGetLength(id, out long length))
            {
                // Deleted or quarantined since the pass started.
                continue;
            }

            bool failed;
            try
            {
                failed = await store.VerifyAsync(id, cancellationToken).ConfigureAwait(false) == FragmentReadStatus.Quarantined;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // An unreadable sector: the copy is as good as lost, but the disk may recover; count it and go on.
                Log.ScrubReadFailed(_logger, id, e.Message);
                failed = true;
            }

            if (failed)
            {
                Log.ScrubFoundBadFragment(_logger, id);
            }

            progress.Checked(length, failed);
            await throttle.ConsumeAsync(length, cancellationToken).ConfigureAwait(false);
        }

        progress.EndPass(DateTimeOffset.UtcNow);
        Log.ScrubPassFinished(_logger, ids.Count, total, progress.Errors - errorsBefore);
    }
}
