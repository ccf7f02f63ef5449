using System.Text.Json.Serialization;

namespace Ugloo.Mount.Volume;

/// <summary>Source-generated JSON for <c>volume.json</c>: snake_case keys, indented for people who read it.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(VolumeConfig))]
internal sealed partial class VolumeConfigJsonContext : JsonSerializerContext
{
}
