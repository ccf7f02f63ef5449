using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ugloo.Engine.Codec;

/// <summary>
/// A fragment buffer as the kernels address it: its array and the offset of its first byte. Kernels
/// read k inputs per 64-byte column, so they need an indexable table of bases; an (array, offset) pair
/// costs two loads per input and no pinning (a <see cref="Memory{T}"/>'s <c>Span</c> would cost type
/// checks per access, and pinning would cost a GC handle per buffer per call).
/// </summary>
internal readonly struct FragmentRef
{
    public FragmentRef(byte[] array, int offset, bool rented)
    {
        Array = array;
        Offset = offset;
        Rented = rented;
    }

    public byte[] Array { get; }

    public int Offset { get; }

    /// <summary>The caller's memory was not array-backed; this is a pooled copy.</summary>
    public bool Rented { get; }

    /// <summary>The byte at <paramref name="position"/>, unchecked: the plan validated every length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref byte At(nint position) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Array), Offset + position);

    public Span<byte> Slice(int start, int length) => Array.AsSpan(Offset + start, length);
}
