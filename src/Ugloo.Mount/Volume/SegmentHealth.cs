using System.Globalization;
using System.Text.Json;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;

namespace Ugloo.Mount.Volume;

/// <summary>
/// How redundant the volume's stored segments are right now, counted by the client: for every segment of every
/// version the catalog can still read (each object once, however many paths share it), the nodes that are up
/// are asked which of its n fragments they hold (ugloo_have, in batches), and the segment is classified by how
/// many distinct fragments are present:
/// <list type="bullet">
/// <item>redundant: all n;</item>
/// <item>degraded: k+1 to n-1 (readable, and can lose at least one more fragment);</item>
/// <item>at risk: exactly k (readable, but one more lost fragment loses it);</item>
/// <item>lost: fewer than k (unreadable until a node that holds its fragments comes back).</item>
/// </list>
/// A fragment on a node that is down counts as missing: it is, for reading now. Fragments are addressed by
/// their hash, so identical ones (the all-zero padding fragments of a very short segment) are one fragment
/// wherever they sit: present if any up node holds it, which is what a reader would find.
/// </summary>
internal sealed record SegmentHealth(long Total, long Redundant, long Degraded, long AtRisk, long Lost)
{
    /// <summary>Segments that need a rebuild (degraded and at risk), as the client sees them.</summary>
    public long RepairQueue => Degraded + AtRisk;

    public static async Task<SegmentHealth> ComputeAsync(string dataDirectory, VolumeConfig config, SwarmClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        // A segment is (object, index, generation): revisions of one object share its unchanged segments, so
        // each is counted once however many versions list it.
        var segments = new Dictionary<(ObjectId Object, int Index, ulong Generation), (ObjectManifest Manifest, int Index)>();
        using (VolumeCatalog catalog = VolumeAccess.OpenCatalog(dataDirectory, config))
        {
            foreach (CatalogVersion latest in catalog.GetAllLatest())
            {
                foreach (CatalogVersion version in catalog.GetVersions(latest.Path))
                {
                    if (version.Manifest is not null)
                    {
                        ObjectManifest manifest = ObjectManifest.Deserialize(version.Manifest);
                        for (int s = 0; s < manifest.SegmentCount; s++)
                        {
                            segments.TryAdd((manifest.ObjectId, s, manifest.GetGeneration(s)), (manifest, s));
                        }
                    }
                }
            }
        }

        var ids = new List<FragmentId>();
        foreach ((ObjectManifest manifest, int s) in segments.Values)
        {
            ids.AddRange(manifest.GetFragmentIds(s).ToArray());
        }

        IReadOnlySet<FragmentId> held = ids.Count == 0 ? new HashSet<FragmentId>() : await client.FindHeldAsync(ids, cancellationToken).ConfigureAwait(false);
        long total = 0, redundant = 0, degraded = 0, atRisk = 0, lost = 0;
        foreach ((ObjectManifest manifest, int s) in segments.Values)
        {
            int present = 0;
            foreach (FragmentId id in manifest.GetFragmentIds(s))
            {
                present += held.Contains(id) ? 1 : 0;
            }

            total++;
            if (present >= manifest.TotalFragments)
            {
                redundant++;
            }
            else if (present > manifest.DataFragments)
            {
                degraded++;
            }
            else if (present == manifest.DataFragments)
            {
                atRisk++;
            }
            else
            {
                lost++;
            }
        }

        return new SegmentHealth(total, redundant, degraded, atRisk, lost);
    }

    /// <summary>
    /// Writes <c>"segments":{…}</c> and <c>"repair_queue"</c> into the open volume object; nulls when
    /// <paramref name="health"/> is unknown (no node answered). <c>"repair_queue_nodes"</c> is the queue the
    /// nodes' own repair reports (<paramref name="nodesQueue"/>, summed over the nodes that answered
    /// ugloo_status; null when none did).
    /// </summary>
    public static void WriteJson(Utf8JsonWriter json, SegmentHealth? health, long? nodesQueue = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (health is null)
        {
            json.WriteNull("segments");
            json.WriteNull("repair_queue");
        }
        else
        {
            json.WriteStartObject("segments");
            json.WriteNumber("total", health.Total);
            json.WriteNumber("redundant", health.Redundant);
            json.WriteNumber("degraded", health.Degraded);
            json.WriteNumber("at_risk", health.AtRisk);
            json.WriteNumber("lost", health.Lost);
            json.WriteEndObject();
            json.WriteNumber("repair_queue", health.RepairQueue);
        }

        if (nodesQueue is long queued)
        {
            json.WriteNumber("repair_queue_nodes", queued);
        }
        else
        {
            json.WriteNull("repair_queue_nodes");
        }
    }

    /// <summary>"Segments  12 total: 10 fully redundant, 2 degraded, 0 at risk, 0 lost; 2 need repair".</summary>
    public string Describe() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"Segments  {Total} total: {Redundant} fully redundant, {Degraded} degraded, {AtRisk} at risk, {Lost} lost; {RepairQueue} need repair") +
        (Lost > 0 ? " (lost segments read again when the nodes holding them come back)." : ".");
}
