using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Objects;

/// <summary>
/// What writing an object yields: the public <paramref name="Manifest"/> (for nodes and the catalog)
/// and the secret <paramref name="WrappedKey"/> (for the catalog only).
/// </summary>
public sealed record ObjectWriteResult(ObjectManifest Manifest, WrappedObjectKey WrappedKey);
