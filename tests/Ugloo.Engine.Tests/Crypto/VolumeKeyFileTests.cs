using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Tests.Crypto;

public sealed class VolumeKeyFileTests : IDisposable
{
    // Small Argon2id cost so the tests stay fast; the format stores whatever cost was used.
    private static readonly Argon2idSettings s_cheap = new() { MemoryKiB = 1024, Passes = 1 };

    private readonly string _directory = Directory.CreateTempSubdirectory("ugloo-keyfile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void A_plain_key_file_is_owner_only_and_round_trips()
    {
        string path = PathOf("volume.key");
        using var key = VolumeKey.Generate();
        VolumeKeyFile.Save(path, key);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.False(VolumeKeyFile.RequiresPassphrase(path));
        using VolumeKey loaded = VolumeKeyFile.Load(path);
        Assert.True(key.Bytes.SequenceEqual(loaded.Bytes));
    }

    [Fact]
    public void A_key_file_readable_by_others_is_refused_with_a_fix()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only.");
            return;
        }

        string path = PathOf("volume.key");
        using var key = VolumeKey.Generate();
        VolumeKeyFile.Save(path, key);

        foreach (UnixFileMode extra in new[] { UnixFileMode.GroupRead, UnixFileMode.OtherRead })
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);
            var e = Assert.Throws<KeyFileException>(() => VolumeKeyFile.Load(path));
            Assert.Contains("chmod 600", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Saving_never_overwrites_an_existing_file()
    {
        string path = PathOf("volume.key");
        File.WriteAllText(path, "precious");
        using var key = VolumeKey.Generate();

        Assert.Throws<IOException>(() => VolumeKeyFile.Save(path, key));
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void A_passphrase_protected_key_round_trips_and_a_wrong_passphrase_fails()
    {
        string path = PathOf("volume.key");
        using var key = VolumeKey.Generate();
        VolumeKeyFile.SaveWithPassphrase(path, key, "correct horse battery staple", s_cheap);

        Assert.True(VolumeKeyFile.RequiresPassphrase(path));
        Assert.DoesNotContain(Convert.ToHexString(key.Bytes), Convert.ToHexString(File.ReadAllBytes(path)), StringComparison.Ordinal);
        using (VolumeKey loaded = VolumeKeyFile.Load(path, "correct horse battery staple"))
        {
            Assert.True(key.Bytes.SequenceEqual(loaded.Bytes));
        }

        Assert.Throws<AuthenticationFailedException>(() => VolumeKeyFile.Load(path, "correct horse battery stapler"));
        var e = Assert.Throws<KeyFileException>(() => VolumeKeyFile.Load(path));
        Assert.Contains("passphrase", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tampered_argon2_parameters_fail_authentication()
    {
        string path = PathOf("volume.key");
        using var key = VolumeKey.Generate();
        VolumeKeyFile.SaveWithPassphrase(path, key, "pw", s_cheap);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[17] = 2; // passes 1 -> 2 (big-endian u32 at offset 14)
        File.Delete(path);
        File.WriteAllBytes(path, bytes);

        Assert.Throws<AuthenticationFailedException>(() => VolumeKeyFile.Load(path, "pw"));
    }

    [Fact]
    public void Damaged_or_foreign_files_get_a_clear_error()
    {
        string path = PathOf("volume.key");
        using var key = VolumeKey.Generate();
        VolumeKeyFile.Save(path, key);
        byte[] bytes = File.ReadAllBytes(path);

        string truncated = PathOf("truncated.key");
        File.WriteAllBytes(truncated, bytes[..^1]);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(truncated, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Assert.Contains("truncated", Assert.Throws<KeyFileException>(() => VolumeKeyFile.Load(truncated)).Message, StringComparison.Ordinal);

        string foreign = PathOf("foreign.key");
        File.WriteAllText(foreign, "-----BEGIN OPENSSH PRIVATE KEY-----");
        Assert.Contains("not an Ugloo volume key", Assert.Throws<KeyFileException>(() => VolumeKeyFile.Load(foreign)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_argon2_costs_are_refused_before_deriving()
    {
        string path = PathOf("volume.key");
        using var key = VolumeKey.Generate();
        VolumeKeyFile.SaveWithPassphrase(path, key, "pw", s_cheap);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[10] = 0xFF; // memory KiB = 0xFF...: terabytes
        File.Delete(path);
        File.WriteAllBytes(path, bytes);

        Assert.Throws<KeyFileException>(() => VolumeKeyFile.Load(path, "pw"));
    }
}
