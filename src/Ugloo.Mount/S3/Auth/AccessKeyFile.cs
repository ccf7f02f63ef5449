using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ugloo.Mount.S3.Auth;

/// <summary>
/// The gateway's access keys in DATA/s3-keys.json, readable by the owner only (0600): the secrets sign
/// requests, so anyone who reads them has the volume. Written to a temporary file and renamed, so a crash
/// never leaves half a file.
/// </summary>
internal static class AccessKeyFile
{
    public const string FileName = "s3-keys.json";

    // Access key ids look like AWS's (20 upper-case letters and digits); secrets are 40 characters.
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    public static IReadOnlyList<AccessKey> Load(string dataDirectory)
    {
        string path = PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            KeyList list = JsonSerializer.Deserialize(File.ReadAllText(path), AccessKeyJsonContext.Default.KeyList) ?? new KeyList();
            return [.. list.Keys.Select(k => new AccessKey(k.Name, k.AccessKey, k.SecretKey, k.Created))];
        }
        catch (JsonException e)
        {
            throw new Volume.VolumeException($"{path} is not a valid key file: {e.Message}", e);
        }
    }

    /// <summary>Creates a key named <paramref name="name"/>; refuses a name already used.</summary>
    public static AccessKey Add(string dataDirectory, string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
        {
            throw new Cli.UsageException("A key name is 1 to 64 characters.");
        }

        List<AccessKey> keys = [.. Load(dataDirectory)];
        if (keys.Any(k => k.Name == name))
        {
            throw new Cli.UsageException($"There is a key named '{name}' already; remove it first or choose another name.");
        }

        var key = new AccessKey(name, "UG" + RandomNumberGenerator.GetString(IdAlphabet, 18), RandomNumberGenerator.GetString(SecretAlphabet, 40), DateTimeOffset.UtcNow);
        keys.Add(key);
        Save(dataDirectory, keys);
        return key;
    }

    /// <summary>Removes the key named <paramref name="name"/> (or with that access key id); false if there is none.</summary>
    public static bool Remove(string dataDirectory, string name)
    {
        List<AccessKey> keys = [.. Load(dataDirectory)];
        int removed = keys.RemoveAll(k => k.Name == name || k.AccessKeyId == name);
        if (removed > 0)
        {
            Save(dataDirectory, keys);
        }

        return removed > 0;
    }

    private static void Save(string dataDirectory, List<AccessKey> keys)
    {
        var list = new KeyList { Keys = [.. keys.Select(k => new KeyEntry { Name = k.Name, AccessKey = k.AccessKeyId, SecretKey = k.SecretKey, Created = k.Created })] };
        string path = PathIn(dataDirectory);
        string temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        Directory.CreateDirectory(dataDirectory);
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, list, AccessKeyJsonContext.Default.KeyList);
            stream.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            // FileMode.Create keeps the mode of a file left over from an earlier crash: set it again.
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: true);
    }

    internal sealed class KeyList
    {
        public List<KeyEntry> Keys { get; init; } = [];
    }

    internal sealed class KeyEntry
    {
        public required string Name { get; init; }

        public required string AccessKey { get; init; }

        public required string SecretKey { get; init; }

        public DateTimeOffset Created { get; init; }
    }
}

/// <summary>Source-generated JSON for the key file: snake_case, indented.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(AccessKeyFile.KeyList))]
internal sealed partial class AccessKeyJsonContext : JsonSerializerContext;
