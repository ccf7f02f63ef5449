using System.Globalization;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Catalog.Backup;
using Ugloo.Engine.Codec;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.LocalCluster;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Recovery;

/// <summary>
/// <c>ugloo recover</c>: rebuilds a client's data directory from the swarm with nothing but the volume key,
/// the cluster key and one node's address. The volume id is derived from the key; every node reachable from
/// the peers (peer exchange) is asked for its root pointer; the valid pointer with the highest sequence names
/// the catalog snapshot, which is read, decrypted, checked by SQLite and installed; volume.json is written
/// last (the keys and catalog first), so an interrupted recover leaves no volume that points at nothing.
/// </summary>
internal sealed class RecoverOperation
{
    public required string DataDirectory { get; init; }

    public required string KeyFile { get; init; }

    public required IReadOnlyList<string> Peers { get; init; }

    public string? ClusterKeyFile { get; init; }

    public string? PassphraseFile { get; init; }

    public bool Force { get; init; }

    public bool Verbose { get; init; }

    public async Task<RecoverResult> RunAsync(CancellationToken cancellationToken)
    {
        if (Peers.Count == 0)
        {
            throw new Cli.UsageException("Give at least one node with --peer HOST:PORT.");
        }

        if (VolumeConfig.TryLoad(DataDirectory) is not null && !Force)
        {
            throw new VolumeException(
                $"{DataDirectory} already holds a volume (volume.json); recovering would replace its catalog. Use another --data directory, or --force to replace it.");
        }

        using VolumeKey volumeKey = LoadKey();
        string clusterKeyFile = ClusterKeyFile ?? Path.Combine(DataDirectory, "cluster.key");
        byte[] clusterKey;
        try
        {
            clusterKey = Engine.Cluster.ClusterKey.Load(clusterKeyFile);
        }
        catch (Exception e) when (e is KeyFileException or InvalidDataException)
        {
            throw new VolumeException($"{e.Message} The cluster key (cluster.key of the volume's nodes) is needed to talk to them: give it with --cluster-key FILE.", e);
        }

        using ILoggerFactory logging = ClientLogging.Create(Verbose);
        ILogger logger = logging.CreateLogger("ugloo");
        SwarmClient client;
        try
        {
            client = await SwarmClient.ConnectAsync(new SwarmClientOptions { Seeds = [.. Peers], ClusterKey = clusterKey, RequiredNodeLosses = 0 }, logger, cancellationToken).ConfigureAwait(false);
        }
        catch (PeerUnavailableException e)
        {
            throw new VolumeException($"No node answers at {string.Join(", ", Peers)} (or the cluster key is not theirs): {e.Message}", e);
        }

        await using (client.ConfigureAwait(false))
        {
            using var signing = RootSigningKey.Derive(volumeKey);
            RootPointer pointer = await FindNewestAsync(client, signing.VolumeId, cancellationToken).ConfigureAwait(false);
            VolumeSetup.CreatePrivateDirectory(DataDirectory);
            string staged = Path.Combine(DataDirectory, $"catalog-recovered.{Environment.ProcessId}.tmp");
            try
            {
                await ReadSnapshotAsync(client, volumeKey, pointer, staged, logger, cancellationToken).ConfigureAwait(false);
                return Install(pointer, staged, clusterKeyFile, client);
            }
            finally
            {
                File.Delete(staged);
            }
        }
    }

    private VolumeKey LoadKey()
    {
        if (!File.Exists(KeyFile))
        {
            throw new VolumeException($"Volume key file {KeyFile} not found.");
        }

        try
        {
            if (!VolumeKeyFile.RequiresPassphrase(KeyFile))
            {
                return VolumeKeyFile.Load(KeyFile);
            }

            if (PassphraseFile is null)
            {
                throw new VolumeException($"The volume key {KeyFile} is protected by a passphrase: give it with --passphrase-file FILE.");
            }

            return VolumeKeyFile.Load(KeyFile, VolumeAccess.ReadPassphrase(PassphraseFile));
        }
        catch (KeyFileException e)
        {
            throw new VolumeException(e.Message, e);
        }
        catch (AuthenticationFailedException e)
        {
            throw new VolumeException($"Wrong passphrase for the volume key {KeyFile}.", e);
        }
    }

    /// <summary>The valid pointer with the highest sequence among those the up nodes hold.</summary>
    private static async Task<RootPointer> FindNewestAsync(SwarmClient client, byte[] volumeId, CancellationToken cancellationToken)
    {
        IReadOnlyList<(string Address, byte[] Record)> found = await client.FetchRootsAsync(volumeId, cancellationToken).ConfigureAwait(false);
        int up = client.Members.Count(m => m.State == Engine.Placement.NodeState.Up);
        RootPointer? best = null;
        int invalid = 0;
        foreach ((string _, byte[] record) in found)
        {
            RootPointer candidate;
            try
            {
                candidate = RootPointer.Parse(record);
            }
            catch (InvalidDataException)
            {
                invalid++;
                continue;
            }

            // A node cannot forge a pointer: only the signature under the id derived from our key counts.
            if (!candidate.VolumeId.AsSpan().SequenceEqual(volumeId) || !candidate.IsSignatureValid())
            {
                invalid++;
                continue;
            }

            if (best is null || candidate.Sequence > best.Sequence)
            {
                best = candidate;
            }
        }

        return best ?? throw new VolumeException(invalid > 0
            ? $"The {invalid} catalog pointer(s) the nodes returned fail the signature check of this volume key: they are damaged or forged. Nothing was recovered."
            : $"None of the {up} reachable node(s) holds a catalog pointer for this volume key (volume id {Convert.ToHexStringLower(volumeId)[..16]}…): " +
              "either the key is not the volume key of a volume on this cluster (wrong key file?), or that volume never backed its catalog up. Nothing was recovered.");
    }

    private static async Task ReadSnapshotAsync(SwarmClient client, VolumeKey volumeKey, RootPointer pointer, string target, ILogger logger, CancellationToken cancellationToken)
    {
        ObjectManifest manifest;
        WrappedObjectKey wrapped;
        try
        {
            manifest = ObjectManifest.Deserialize(pointer.Manifest);
            wrapped = WrappedObjectKey.Deserialize(pointer.WrappedKey);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw new VolumeException($"The catalog pointer (sequence {pointer.Sequence}) is signed by this volume's key but its snapshot record is unreadable: {e.Message}", e);
        }

        ObjectKey objectKey;
        try
        {
            objectKey = volumeKey.Unwrap(manifest.ObjectId, wrapped);
        }
        catch (AuthenticationFailedException e)
        {
            throw new VolumeException("The volume key cannot open the catalog snapshot (wrong key, or the pointer was damaged). Nothing was recovered.", e);
        }

        using (objectKey)
        {
            var reader = new ObjectReader(manifest, objectKey, client.CreateSource(manifest), new ObjectPipelineOptions(), logger);
            try
            {
                using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None);
                await reader.ReadAsync(output, cancellationToken).ConfigureAwait(false);
                output.Flush(flushToDisk: true);
            }
            catch (InsufficientFragmentsException e)
            {
                throw new VolumeException($"The catalog snapshot cannot be read: {e.Message} Too many nodes are down; start more of them and retry.", e);
            }
            catch (SegmentAuthenticationException e)
            {
                throw new VolumeException($"The catalog snapshot failed authentication (segment {e.SegmentIndex}): tampered data or a wrong key. Nothing was recovered.", e);
            }
        }

        try
        {
            CatalogSnapshot.Verify(target);
        }
        catch (InvalidDataException e)
        {
            throw new VolumeException($"{e.Message} Nothing was recovered.", e);
        }
    }

    private RecoverResult Install(RootPointer pointer, string staged, string clusterKeyFile, SwarmClient client)
    {
        var config = new VolumeConfig
        {
            K = pointer.Settings.DataFragments,
            M = pointer.Settings.ParityFragments,
            SegmentSize = pointer.Settings.SegmentSize,
            RequiredNodeLosses = pointer.Settings.RequiredNodeLosses,
            Created = DateTimeOffset.UtcNow,
        };

        // Every node learned, not only the peers given: any of them can be the next command's way in.
        config.Seeds.AddRange(Peers.Concat(client.Members.Select(m => m.Address)).Distinct(StringComparer.Ordinal));
        CopySecret(KeyFile, VolumeConfig.Resolve(DataDirectory, config.VolumeKeyFile));
        CopySecret(clusterKeyFile, VolumeConfig.Resolve(DataDirectory, config.ClusterKeyFile));

        string catalog = VolumeConfig.Resolve(DataDirectory, config.CatalogFile);
        File.Delete(catalog + "-wal");
        File.Delete(catalog + "-shm");
        File.Move(staged, catalog, overwrite: true);
        int files;
        int versions;
        using (VolumeCatalog opened = VolumeCatalog.Open(catalog))
        {
            IReadOnlyList<CatalogVersion> latest = opened.GetAllLatest();
            files = latest.Count;
            versions = latest.Sum(v => opened.GetVersions(v.Path).Count(x => !x.IsTombstone));
        }

        CatalogBackup.WriteSequence(DataDirectory, pointer.Sequence);
        config.Save(DataDirectory);
        return new RecoverResult(DataDirectory, files, versions, pointer.Sequence, pointer.Created, config.CodeName);
    }

    /// <summary>Copies a key into the data directory owner-only, unless it is that file already; an existing different key is an error.</summary>
    private void CopySecret(string source, string destination)
    {
        string from = Path.GetFullPath(source);
        string to = Path.GetFullPath(destination);
        if (from == to)
        {
            return;
        }

        if (File.Exists(to))
        {
            if (File.ReadAllBytes(to).AsSpan().SequenceEqual(File.ReadAllBytes(from)))
            {
                return;
            }

            if (!Force)
            {
                throw new VolumeException($"{to} exists and differs from {from}; move it away or use --force.");
            }

            File.Delete(to);
        }

        OwnerOnlyFile.CreateNew(to, File.ReadAllBytes(from));
    }
}

/// <summary>What a recover installed.</summary>
internal sealed record RecoverResult(string DataDirectory, int Files, int Versions, long Sequence, DateTimeOffset SnapshotCreated, string Code)
{
    public string Describe() =>
        $"Recovered the volume into {DataDirectory}: {Files.ToString(CultureInfo.InvariantCulture)} file(s) with {Versions.ToString(CultureInfo.InvariantCulture)} version(s), " +
        $"{Code}, catalog as of {SnapshotCreated.ToLocalTime():yyyy-MM-dd HH:mm:ss} (backup {Sequence.ToString(CultureInfo.InvariantCulture)}).";
}
