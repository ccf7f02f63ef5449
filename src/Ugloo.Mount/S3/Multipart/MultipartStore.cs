using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ugloo.Engine.Catalog;

namespace Ugloo.Mount.S3.Multipart;

/// <summary>
/// Multipart uploads in progress, staged on the local disk under DATA/s3-uploads/UPLOADID/ (0700: parts are
/// plaintext): upload.json says what the upload is for, each part is a file "NNNNN-MD5HEX.part" (number and
/// ETag in the name, so a part and its ETag can never disagree). A part is written under a temporary name and
/// renamed when complete and verified. Complete streams the parts in order into the object writer; complete and
/// abort remove the directory, so nothing is left behind.
/// </summary>
internal sealed class MultipartStore
{
    private const string InfoFile = "upload.json";

    private readonly string _root;

    public MultipartStore(string dataDirectory)
    {
        _root = Path.Combine(dataDirectory, "s3-uploads");
    }

    public string Create(string bucket, string key, ObjectMetadata metadata)
    {
        CreatePrivateDirectory(_root);
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        string directory = Path.Combine(_root, id);
        CreatePrivateDirectory(directory);
        var info = new UploadInfo
        {
            Bucket = bucket,
            Key = key,
            Initiated = DateTimeOffset.UtcNow,
            ContentType = metadata.ContentType,
            Headers = [.. metadata.Headers.Select(h => new[] { h.Key, h.Value })],
            UserMetadata = [.. metadata.UserMetadata.Select(h => new[] { h.Key, h.Value })],
        };
        File.WriteAllText(Path.Combine(directory, InfoFile), JsonSerializer.Serialize(info, MultipartJsonContext.Default.UploadInfo));
        return id;
    }

    /// <summary>The upload, or null when there is none with that id (never created, completed or aborted).</summary>
    public UploadInfo? Find(string uploadId)
    {
        if (uploadId.Length != 32 || !uploadId.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        string file = Path.Combine(_root, uploadId, InfoFile);
        try
        {
            UploadInfo? info = JsonSerializer.Deserialize(File.ReadAllText(file), MultipartJsonContext.Default.UploadInfo);
            return info is null ? null : info with { Id = uploadId };
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    public IReadOnlyList<UploadInfo> List(string bucket)
    {
        if (!Directory.Exists(_root))
        {
            return [];
        }

        return [.. Directory.EnumerateDirectories(_root)
            .Select(d => Find(Path.GetFileName(d)))
            .OfType<UploadInfo>()
            .Where(u => u.Bucket == bucket)
            .OrderBy(u => u.Key, StringComparer.Ordinal)
            .ThenBy(u => u.Initiated)];
    }

    public bool HasUploads(string bucket) => List(bucket).Count > 0;

    /// <summary>A private temporary file in the upload's directory for a part being received.</summary>
    public FileStream CreatePartFile(string uploadId, out string temporaryPath)
    {
        temporaryPath = Path.Combine(_root, uploadId, $"{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 1 << 16 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(temporaryPath, options);
    }

    /// <summary>Makes a received part the upload's part <paramref name="number"/>, replacing an earlier one; returns it.</summary>
    public PartInfo CommitPart(string uploadId, int number, string temporaryPath, byte[] md5)
    {
        string directory = Path.Combine(_root, uploadId);
        string target = Path.Combine(directory, PartName(number, md5));
        File.Move(temporaryPath, target, overwrite: true);
        foreach (PartInfo old in ListParts(uploadId).Where(p => p.Number == number && p.Path != target))
        {
            File.Delete(old.Path);
        }

        var info = new FileInfo(target);
        return new PartInfo(number, "\"" + Convert.ToHexStringLower(md5) + "\"", info.Length, new DateTimeOffset(info.LastWriteTimeUtc), target);
    }

    public IReadOnlyList<PartInfo> ListParts(string uploadId)
    {
        string directory = Path.Combine(_root, uploadId);
        var parts = new List<PartInfo>();
        foreach (string file in Directory.EnumerateFiles(directory, "*.part"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            int dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash == 5 && int.TryParse(name.AsSpan(0, 5), NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                var info = new FileInfo(file);
                parts.Add(new PartInfo(number, "\"" + name[(dash + 1)..] + "\"", info.Length, new DateTimeOffset(info.LastWriteTimeUtc), file));
            }
        }

        return [.. parts.OrderBy(p => p.Number)];
    }

    /// <summary>Removes the upload and every part; false when there was none.</summary>
    public bool Remove(string uploadId)
    {
        string directory = Path.Combine(_root, uploadId);
        if (Find(uploadId) is null)
        {
            return false;
        }

        Directory.Delete(directory, recursive: true);
        return true;
    }

    public static void DeleteTemporary(string temporaryPath)
    {
        try
        {
            File.Delete(temporaryPath);
        }
        catch (IOException)
        {
            // Removed with the upload's directory at the latest.
        }
    }

    private static string PartName(int number, byte[] md5) => $"{number:D5}-{Convert.ToHexStringLower(md5)}.part";

    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}

/// <summary>What upload.json holds.</summary>
internal sealed record UploadInfo
{
    [JsonIgnore]
    public string Id { get; init; } = "";

    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public DateTimeOffset Initiated { get; init; }

    public string? ContentType { get; init; }

    public string[][] Headers { get; init; } = [];

    public string[][] UserMetadata { get; init; } = [];

    public ObjectMetadata Metadata(string etag) => new(
        etag,
        ContentType,
        [.. Headers.Select(h => new KeyValuePair<string, string>(h[0], h[1]))],
        [.. UserMetadata.Select(h => new KeyValuePair<string, string>(h[0], h[1]))]);
}

/// <summary>A received part: its number, ETag (quoted MD5 hex), size, when it arrived and its staged file.</summary>
internal sealed record PartInfo(int Number, string ETag, long Size, DateTimeOffset Modified, string Path);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(UploadInfo))]
internal sealed partial class MultipartJsonContext : JsonSerializerContext;
