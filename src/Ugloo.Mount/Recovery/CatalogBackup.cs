using System.Globalization;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Catalog.Backup;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Recovery;

/// <summary>
/// Puts the catalog into the swarm (DESIGN.md invariant 5): a <c>VACUUM INTO</c> snapshot is stored as an
/// ordinary encrypted object (same pipeline, code and durability as a file), then a root pointer naming it,
/// signed with the key derived from the volume key, is offered to every up node. The pointer's sequence is
/// one more than the last this data directory published (<c>catalog-root.seq</c>), raised above whatever a
/// node reports holding if that is higher. One backup at a time per data directory (<c>catalog-root.lock</c>):
/// the daemon and <c>ugloo put</c> may both back up, and two pointers with one sequence would lose one.
/// </summary>
internal static class CatalogBackup
{
    public const string SequenceFile = "catalog-root.seq";
    private const string LockFile = "catalog-root.lock";

    /// <summary>Backs the catalog up now; returns what was published.</summary>
    /// <exception cref="VolumeException">The snapshot could not be stored durably, or no node kept the pointer.</exception>
    public static async Task<CatalogBackupResult> RunAsync(string dataDirectory, VolumeConfig config, VolumeKey volumeKey, SwarmClient client, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        using FileStream gate = await LockAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
        string snapshot = Path.Combine(dataDirectory, $"catalog-snapshot.{Environment.ProcessId}.tmp");
        File.Delete(snapshot);
        try
        {
            CatalogSnapshot.Write(VolumeConfig.Resolve(dataDirectory, config.CatalogFile), snapshot);
            ObjectWriteResult written;
            var writer = new ObjectWriter(
                new ObjectPipelineOptions { SegmentSize = config.SegmentSize, DataFragments = config.K, ParityFragments = config.M },
                logger);
            using (var input = new FileStream(snapshot, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan))
            {
                try
                {
                    written = await writer.WriteAsync(input, client.CreateSink(config.K), volumeKey, cancellationToken).ConfigureAwait(false);
                }
                catch (DurabilityException e)
                {
                    throw new VolumeException($"The catalog backup could not be stored durably: {e.Message}", e);
                }
            }

            var settings = new RootVolumeSettings(config.K, config.M, config.SegmentSize, config.RequiredNodeLosses);
            byte[] manifest = written.Manifest.Serialize();
            byte[] wrapped = written.WrappedKey.Serialize();
            using var signing = RootSigningKey.Derive(volumeKey);
            long sequence = ReadSequence(dataDirectory) + 1;
            RootPublishResult published = await PublishAsync(client, signing, sequence, settings, manifest, wrapped, cancellationToken).ConfigureAwait(false);
            if (published.Stored == 0 && published.HighestSequence >= sequence)
            {
                // Another machine (or a lost sequence file) published higher: go above it once.
                sequence = published.HighestSequence + 1;
                published = await PublishAsync(client, signing, sequence, settings, manifest, wrapped, cancellationToken).ConfigureAwait(false);
            }

            if (published.Stored == 0)
            {
                throw new VolumeException(
                    $"No node kept the catalog's root pointer ({published.Asked} asked{(published.Refusal is null ? "" : ": " + published.Refusal)}); the catalog is not backed up.");
            }

            WriteSequence(dataDirectory, sequence);
            Log.CatalogBackedUp(logger, sequence, written.Manifest.PlaintextSize, published.Stored, published.Asked);
            return new CatalogBackupResult(sequence, written.Manifest.PlaintextSize, published.Stored, published.Asked);
        }
        finally
        {
            File.Delete(snapshot);
        }
    }

    /// <summary>The last sequence this data directory published (0 for none).</summary>
    public static long ReadSequence(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, SequenceFile);
        return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : 0;
    }

    /// <summary>Records <paramref name="sequence"/> atomically (temporary file, fsync, rename).</summary>
    public static void WriteSequence(string dataDirectory, long sequence)
    {
        string path = Path.Combine(dataDirectory, SequenceFile);
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(sequence.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static Task<RootPublishResult> PublishAsync(
        SwarmClient client, RootSigningKey signing, long sequence, RootVolumeSettings settings, byte[] manifest, byte[] wrapped, CancellationToken cancellationToken)
    {
        RootPointer pointer = RootPointer.Create(signing, sequence, DateTimeOffset.UtcNow, settings, manifest, wrapped);
        return client.PublishRootAsync(pointer.Serialize(), cancellationToken);
    }

    private static async Task<FileStream> LockAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        string path = Path.Combine(dataDirectory, LockFile);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Another process backs up right now; its snapshot may predate our commit, so ours still runs after it.
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>What one catalog backup published.</summary>
internal sealed record CatalogBackupResult(long Sequence, long SnapshotBytes, int NodesHolding, int NodesAsked);
