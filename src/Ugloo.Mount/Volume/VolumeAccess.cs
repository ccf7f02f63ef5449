using Microsoft.Extensions.Logging;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Swarm;

namespace Ugloo.Mount.Volume;

/// <summary>
/// What every client command opens: the volume file, the catalog, the keys and a connection to the
/// running cluster, each failing with a sentence that says what to do.
/// </summary>
internal static class VolumeAccess
{
    public static VolumeConfig LoadConfig(string dataDirectory) =>
        VolumeConfig.TryLoad(dataDirectory)
        ?? throw new VolumeException($"No volume in {dataDirectory}: create and start one with 'ugloo up --data {dataDirectory}'.");

    public static VolumeCatalog OpenCatalog(string dataDirectory, VolumeConfig config) =>
        VolumeCatalog.Open(VolumeConfig.Resolve(dataDirectory, config.CatalogFile));

    /// <summary>
    /// Loads the volume key, unlocking it with the first line of <paramref name="passphraseFile"/> when the
    /// key file is passphrase-protected.
    /// </summary>
    public static VolumeKey LoadVolumeKey(string dataDirectory, VolumeConfig config, string? passphraseFile)
    {
        string path = VolumeConfig.Resolve(dataDirectory, config.VolumeKeyFile);
        if (!File.Exists(path))
        {
            throw new VolumeException($"The volume key {path} is missing: without it no file of this volume can be read.");
        }

        try
        {
            if (!VolumeKeyFile.RequiresPassphrase(path))
            {
                return VolumeKeyFile.Load(path);
            }

            if (passphraseFile is null)
            {
                throw new VolumeException($"The volume key {path} is protected by a passphrase: give it with --passphrase-file FILE.");
            }

            return VolumeKeyFile.Load(path, ReadPassphrase(passphraseFile));
        }
        catch (KeyFileException e)
        {
            throw new VolumeException(e.Message, e);
        }
        catch (AuthenticationFailedException e)
        {
            throw new VolumeException($"Wrong passphrase for the volume key {path}.", e);
        }
    }

    /// <summary>The first line of a passphrase file (a trailing newline is not part of the passphrase).</summary>
    public static string ReadPassphrase(string passphraseFile)
    {
        if (!File.Exists(passphraseFile))
        {
            throw new VolumeException($"Passphrase file {passphraseFile} not found.");
        }

        string passphrase = File.ReadAllText(passphraseFile).Split('\n')[0].TrimEnd('\r');
        if (passphrase.Length == 0)
        {
            throw new VolumeException($"Passphrase file {passphraseFile} is empty.");
        }

        return passphrase;
    }

    public static byte[] LoadClusterKey(string dataDirectory, VolumeConfig config)
    {
        string path = VolumeConfig.Resolve(dataDirectory, config.ClusterKeyFile);
        try
        {
            return Engine.Cluster.ClusterKey.Load(path);
        }
        catch (Exception e) when (e is KeyFileException or InvalidDataException)
        {
            throw new VolumeException(e.Message, e);
        }
    }

    /// <summary>Connects to the cluster through the volume's seeds.</summary>
    /// <exception cref="VolumeException">No seed answers: the cluster is not running.</exception>
    public static async Task<SwarmClient> ConnectAsync(string dataDirectory, VolumeConfig config, ILogger logger, CancellationToken cancellationToken)
    {
        if (config.Seeds.Count == 0)
        {
            throw new VolumeException($"The volume in {dataDirectory} lists no node to connect to (volume.json has no seeds).");
        }

        var options = new SwarmClientOptions
        {
            Seeds = config.Seeds,
            ClusterKey = LoadClusterKey(dataDirectory, config),
            RequiredNodeLosses = config.RequiredNodeLosses,
        };
        try
        {
            return await SwarmClient.ConnectAsync(options, logger, cancellationToken).ConfigureAwait(false);
        }
        catch (PeerUnavailableException e)
        {
            throw new VolumeException(
                $"No node of the cluster answers ({string.Join(", ", config.Seeds)}): is it running? Start it with 'ugloo up --data {dataDirectory}'.", e);
        }
    }
}
