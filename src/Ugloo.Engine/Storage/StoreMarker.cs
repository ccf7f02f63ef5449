using System.Text;
using System.Text.Json;

namespace Ugloo.Engine.Storage;

/// <summary>
/// <c>store.json</c> at the root of every data directory: <c>{"format":1,"directoryId":"&lt;32 hex&gt;"}</c>.
/// The format version lets a future layout refuse to run on (or migrate) an old one; the random id tells
/// disks apart, so the same disk listed twice (or mounted at two paths) is caught at open.
/// </summary>
internal static class StoreMarker
{
    public const string FileName = "store.json";
    public const int CurrentFormat = 1;

    /// <summary>Reads the marker, or writes a new one when the directory has none. Returns the directory id.</summary>
    public static string LoadOrCreate(string root)
    {
        string path = Path.Combine(root, FileName);
        if (File.Exists(path))
        {
            return Load(path);
        }

        string id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        byte[] json = Encode(id);
        string temp = path + ".tmp";
        using (FileStream stream = new(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(root);
        return id;
    }

    private static byte[] Encode(string id)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", CurrentFormat);
            writer.WriteString("directoryId", id);
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static string Load(string path)
    {
        // A corrupt marker stops the node rather than being rewritten: a new id would hide that this disk was
        // swapped or damaged, and the operator must look.
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = document.RootElement;
            int format = root.GetProperty("format").GetInt32();
            if (format != CurrentFormat)
            {
                throw new InvalidDataException($"'{path}' has store format {format}; this version reads format {CurrentFormat} only.");
            }

            string? id = root.GetProperty("directoryId").GetString();
            if (string.IsNullOrEmpty(id))
            {
                throw new InvalidDataException($"'{path}' has no directoryId.");
            }

            return id;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or DecoderFallbackException)
        {
            throw new InvalidDataException($"'{path}' is not a valid store marker: {e.Message}", e);
        }
    }
}
