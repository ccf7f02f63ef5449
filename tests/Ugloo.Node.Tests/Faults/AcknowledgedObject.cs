using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;

namespace Ugloo.Node.Tests.Faults;

/// <summary>An object whose write returned: its manifest and key, and the SHA-256 of the bytes written.</summary>
internal sealed record AcknowledgedObject(ObjectManifest Manifest, ObjectKey Key, byte[] Sha256, int Length);
