using System.Text.Json.Serialization;

namespace Ugloo.Engine.Catalog;

/// <summary>Source-generated JSON for the catalog's few JSON columns (trimming-safe, no reflection).</summary>
[JsonSerializable(typeof(string[][]))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
