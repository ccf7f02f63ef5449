using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Ugloo.Engine.Storage;

/// <summary>
/// A pinned buffer whose usable part starts on a <see cref="DirectFile.Alignment"/> boundary, as O_DIRECT
/// requires of the memory it writes from. Pooled: pinned arrays live on the pinned object heap and are
/// worth reusing rather than allocating per fragment.
/// </summary>
internal sealed class AlignedBuffer
{
    /// <summary>
    /// Room for a whole fragment of the default volume layout (an 8 MiB segment over RS(4,2) gives fragments
    /// of 2 MiB plus the AEAD tag's share, rounded up to 64 bytes), so such a fragment reaches the disk in one
    /// padded write at commit instead of a full 2 MiB write and then a padded 4 KiB one: one I/O (and, on a
    /// virtual disk, one exit to the hypervisor) less per fragment. A multiple of <see cref="DirectFile.Alignment"/>.
    /// </summary>
    public const int Size = (2 << 20) + (64 << 10);

    private static readonly ConcurrentBag<AlignedBuffer> s_pool = [];

    private readonly byte[] _array;
    private readonly int _start;

    private AlignedBuffer()
    {
        _array = GC.AllocateUninitializedArray<byte>(Size + DirectFile.Alignment, pinned: true);

        // The array never moves (pinned heap), so its address can be read once; no unsafe code needed.
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(_array, 0);
        _start = (int)((DirectFile.Alignment - (address % DirectFile.Alignment)) % DirectFile.Alignment);
    }

    public Memory<byte> Memory => _array.AsMemory(_start, Size);

    public Span<byte> Span => _array.AsSpan(_start, Size);

    public static AlignedBuffer Rent() => s_pool.TryTake(out AlignedBuffer? buffer) ? buffer : new AlignedBuffer();

    public static void Return(AlignedBuffer buffer)
    {
        // A node has a bounded number of uploads at once, the mount's segment cache a bounded number of
        // background writes; keep at most 16 idle (34 MiB pinned at rest).
        if (s_pool.Count < 16)
        {
            s_pool.Add(buffer);
        }
    }
}
