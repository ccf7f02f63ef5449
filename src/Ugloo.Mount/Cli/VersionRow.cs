using System.Text.Json.Serialization;

namespace Ugloo.Mount.Cli;

/// <summary>One line of <c>ugloo versions</c>; <see cref="Number"/> counts live versions (1 = oldest), as <c>ugloo get --version</c> does.</summary>
internal sealed record VersionRow(
    [property: JsonPropertyName("number")] int? Number,
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("time")] string Time,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("size")] long? Size,
    [property: JsonPropertyName("history_name")] string? HistoryName);

[JsonSerializable(typeof(List<VersionRow>))]
internal sealed partial class VersionsJsonContext : JsonSerializerContext;
