using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Ugloo.Engine;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Codec;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Transfer;

/// <summary>
/// <c>ugloo get</c>: reads the newest version of a file from the swarm, verifying every fragment against
/// its id and every segment's AEAD tag, and streams it to a local file (written beside it under a
/// temporary name and renamed only when complete) or stdout. Corrupt and unreachable fragments are
/// replaced from parity and reported as warnings.
/// </summary>
internal sealed class GetOperation
{
    public required string DataDirectory { get; init; }

    public required string VolumePath { get; init; }

    public required string Local { get; init; }

    public string? PassphraseFile { get; init; }

    public bool Verbose { get; init; }

    /// <summary>Which version to read, 1 for the oldest (as <c>put</c> and <c>ls</c> count them); null for the newest.</summary>
    public int? Version { get; init; }

    /// <summary>Where warnings go (stderr).</summary>
    public required TextWriter Warnings { get; init; }

    public async Task<GetResult> RunAsync(CancellationToken cancellationToken)
    {
        VolumeConfig config = VolumeAccess.LoadConfig(DataDirectory);
        string path;
        try
        {
            path = CatalogPath.Normalize(VolumePath);
        }
        catch (ArgumentException e)
        {
            throw new Cli.UsageException(e.Message, e);
        }

        CatalogVersion version;
        using (VolumeCatalog catalog = VolumeAccess.OpenCatalog(DataDirectory, config))
        {
            version = (Version is int wanted ? PickVersion(catalog, path, wanted) : catalog.GetLatest(path)) ?? throw new VolumeException(
                path == "/" || catalog.List(path).Count > 0
                    ? $"{path} is a directory in the volume; 'ugloo ls {path}' lists it."
                    : catalog.GetVersions(path).Count > 0 ? $"{path} was deleted from the volume." : $"No such file in the volume: {path}");
        }

        ObjectManifest manifest = ObjectManifest.Deserialize(version.Manifest);
        using VolumeKey volumeKey = VolumeAccess.LoadVolumeKey(DataDirectory, config, PassphraseFile);
        ObjectKey objectKey;
        try
        {
            objectKey = volumeKey.Unwrap(manifest.ObjectId, WrappedObjectKey.Deserialize(version.WrappedKey));
        }
        catch (AuthenticationFailedException e)
        {
            throw new VolumeException($"The volume key cannot open {path}: wrong volume key (is volume.key from another volume?) or a damaged catalog entry.", e);
        }

        using (objectKey)
        {
            using ILoggerFactory logging = ClientLogging.Create(Verbose);
            SwarmClient client = await VolumeAccess.ConnectAsync(DataDirectory, config, logging.CreateLogger("ugloo"), cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                return await ReadAsync(path, version, manifest, objectKey, client, logging.CreateLogger("ugloo"), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static CatalogVersion? PickVersion(VolumeCatalog catalog, string path, int wanted)
    {
        CatalogVersion[] versions = [.. catalog.GetVersions(path).Where(v => !v.IsTombstone)];
        if (versions.Length > 0 && (wanted < 1 || wanted > versions.Length))
        {
            throw new VolumeException($"{path} has {Words.Plural(versions.Length, "version", "versions")}: --version takes 1 to {versions.Length}.");
        }

        return versions.Length == 0 ? null : versions[wanted - 1];
    }

    private async Task<GetResult> ReadAsync(string path, CatalogVersion version, ObjectManifest manifest, ObjectKey objectKey, SwarmClient client, ILogger logger, CancellationToken cancellationToken)
    {
        var source = new ObservedFragmentSource(client.CreateSource(manifest));
        var reader = new ObjectReader(manifest, objectKey, source, new ObjectPipelineOptions { DegreeOfParallelism = ObjectPipelineOptions.TransferWorkersFor(manifest.SegmentSize) }, logger);
        var rejected = new List<FragmentRejectedEventArgs>();
        reader.FragmentRejected += (_, e) =>
        {
            lock (rejected)
            {
                rejected.Add(e);
            }
        };

        string? target = Local == "-" ? null : Directory.Exists(Local) ? Path.Combine(Local, CatalogPath.Name(path)) : Local;
        string? temp = target is null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target))!, $".{Path.GetFileName(target)}.ugloo-{Environment.ProcessId}.part");
        long started = Stopwatch.GetTimestamp();
        try
        {
            Stream output = temp is null
                ? Console.OpenStandardOutput()
                : new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.None);
            await using (output.ConfigureAwait(false))
            {
                var counting = new CountingStream(output);
                // A packed small file is a range of its pack object; any other version is its whole object.
                Task read = reader.ReadRangeAsync(version.ContentOffset, version.Size, counting, cancellationToken);
                await TransferProgress.RunAsync($"get {path}", version.Size, () => counting.Count, read).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            if (temp is not null)
            {
                File.Move(temp, target!, overwrite: true);
                temp = null;
            }
        }
        catch (InsufficientFragmentsException e)
        {
            throw new VolumeException($"Cannot read {path}: {e.Message} Too many nodes are down or fragments lost; 'ugloo status' shows the nodes.", e);
        }
        catch (SegmentAuthenticationException e)
        {
            throw new VolumeException($"Cannot read {path}: segment {e.SegmentIndex} failed authentication (tampered data or a wrong key).", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new VolumeException($"Cannot write {Local}: its directory does not exist.", e);
        }
        finally
        {
            if (temp is not null)
            {
                File.Delete(temp);
            }
        }

        ReportDamage(path, rejected, source.Missing);
        return new GetResult(path, target, version.Size, Stopwatch.GetElapsedTime(started), rejected.Count, source.Missing.Count);
    }

    private void ReportDamage(string path, List<FragmentRejectedEventArgs> rejected, IReadOnlyCollection<FragmentAddress> missing)
    {
        if (rejected.Count > 0)
        {
            FragmentRejectedEventArgs first = rejected[0];
            Warnings.WriteLine(
                $"ugloo: warning: {Words.Plural(rejected.Count, "fragment", "fragments")} of {path} came back corrupt from a node (hash mismatch; first: segment " +
                $"{first.Address.SegmentIndex} fragment {first.Address.FragmentIndex}, expected {first.Expected}, got {first.Actual}) and were replaced from parity. The data read is verified and correct.");
        }

        if (missing.Count > 0)
        {
            Warnings.WriteLine(
                $"ugloo: warning: {Words.Plural(missing.Count, "fragment", "fragments")} of {path} could not be fetched (node down, fragment lost, or discarded by the node's own hash check) " +
                "and were rebuilt from parity. The data read is verified and correct.");
        }
    }
}

/// <summary>What a get read.</summary>
internal sealed record GetResult(string Path, string? Target, long Size, TimeSpan Elapsed, int Rejected, int Missing)
{
    public string Describe() =>
        $"Read {Path} to {Target ?? "stdout"}: {ByteSize.Format(Size)} in {Elapsed.TotalSeconds:0.0} s" +
        (Elapsed.TotalSeconds > 0.05 && Size >= 1 << 20 ? $" ({Size / Elapsed.TotalSeconds / 1e6:0} MB/s)." : ".");
}
