using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Tests.Objects;

internal static class PipelineHarness
{
    public const int SmallSegment = 1024;

    public static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static ObjectPipelineOptions Options(int segmentSize = SmallSegment, int k = 4, int m = 2, int workers = 2) => new()
    {
        SegmentSize = segmentSize,
        DataFragments = k,
        ParityFragments = m,
        DegreeOfParallelism = workers,
    };

    public static async Task<(ObjectWriteResult Result, MemoryFragmentStore Store)> WriteAsync(byte[] content, VolumeKey volumeKey, ObjectPipelineOptions options)
    {
        var store = new MemoryFragmentStore();
        var writer = new ObjectWriter(options);
        ObjectWriteResult result = await writer.WriteAsync(new MemoryStream(content), store, volumeKey, TestContext.Current.CancellationToken);
        return (result, store);
    }

    public static async Task<byte[]> ReadAsync(ObjectManifest manifest, ObjectKey key, IFragmentSource source, Action<FragmentRejectedEventArgs>? rejected = null)
    {
        var reader = new ObjectReader(manifest, key, source);
        if (rejected is not null)
        {
            reader.FragmentRejected += (_, e) => rejected(e);
        }

        var output = new MemoryStream();
        await reader.ReadAsync(output, TestContext.Current.CancellationToken);
        return output.ToArray();
    }

    /// <summary>Replaces one fragment id in a manifest through its documented binary layout.</summary>
    public static ObjectManifest WithFragmentId(ObjectManifest manifest, FragmentAddress address, FragmentId id)
    {
        byte[] bytes = manifest.Serialize();
        int slot = (address.SegmentIndex * manifest.TotalFragments) + address.FragmentIndex;
        id.WriteTo(bytes.AsSpan(ObjectManifest.HeaderLength + (slot * FragmentId.Size)));
        return ObjectManifest.Deserialize(bytes);
    }
}
