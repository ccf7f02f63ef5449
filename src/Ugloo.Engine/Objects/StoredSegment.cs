namespace Ugloo.Engine.Objects;

/// <summary>
/// A segment already in the swarm that a later manifest of the same object may list: its generation, its n
/// fragment ids, and the plaintext length and last flag it was sealed with (a manifest can list it only at a
/// place where both are the same).
/// </summary>
public sealed record StoredSegment(ulong Generation, FragmentId[] Ids, int PlaintextLength, bool IsLast);
