using Ugloo.Engine.Catalog;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// A queued sparse copy must say, across a crash, which version it builds on and which segments it shares:
/// replaying it as a whole file would store its holes as zeros.
/// </summary>
public sealed class StagedBaseRecordTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ugloo-staged-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_base_record_survives_a_restart_and_a_damaged_one_is_refused()
    {
        ObjectManifest manifest = Manifest(segments: 11);
        var version = new CatalogVersion(42, "/big.bin", DateTimeOffset.UtcNow, manifest.PlaintextSize, false, manifest.Serialize(), []);
        bool[] shared = [.. Enumerable.Range(0, 11).Select(i => i is not 3 and not 10)];
        string path;
        using (StagedFile staged = StagedFile.Create(_directory))
        {
            staged.StartOver(new StagedBase(version, manifest, shared), manifest.PlaintextSize);
            staged.FlushToDisk();
            path = staged.FilePath;
            staged.Keep = true;
        }

        using (StagedFile adopted = StagedFile.Adopt(path))
        {
            Assert.True(adopted.TryReadBaseRecord(out long id, out int segments, out byte[] bitmap));
            Assert.Equal((42L, 11), (id, segments));
            Assert.Equal(shared, StagedBase.FromBitmap(bitmap, segments));
            Assert.Equal(manifest.PlaintextSize, adopted.Length);
            adopted.Keep = true;
        }

        File.WriteAllBytes(path + ".base", [.. "UGSB"u8, 0, 0]);
        using (StagedFile adopted = StagedFile.Adopt(path))
        {
            Assert.Throws<FormatException>(() => adopted.TryReadBaseRecord(out _, out _, out _));
        }

        // Disposing a copy that is not kept removes the record with it.
        Assert.False(File.Exists(path + ".base"));
    }

    [Fact]
    public void A_whole_copy_has_no_base_record()
    {
        using StagedFile staged = StagedFile.Create(_directory);
        staged.Write(0, new byte[100]);
        staged.FlushToDisk();
        Assert.False(staged.TryReadBaseRecord(out _, out _, out _));
    }

    private static ObjectManifest Manifest(int segments)
    {
        FragmentId[] ids = [.. Enumerable.Range(0, segments * 3).Select(i => FragmentId.Compute([(byte)i]))];
        return new ObjectManifest(ObjectId.New(), CipherSuite.Aes256Gcm, ((segments - 1) * 1024L) + 1, 1024, 2, 1, 64, ids);
    }
}
