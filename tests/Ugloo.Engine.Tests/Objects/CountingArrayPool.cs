using System.Buffers;

namespace Ugloo.Engine.Tests.Objects;

/// <summary>Counts arrays rented and not yet returned, and the peak of that count.</summary>
internal sealed class CountingArrayPool : ArrayPool<byte>
{
    private readonly object _gate = new();
    private readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);

    public int Outstanding
    {
        get
        {
            lock (_gate)
            {
                return _out.Count;
            }
        }
    }

    public int Peak { get; private set; }

    public int Rents { get; private set; }

    public override byte[] Rent(int minimumLength)
    {
        byte[] array = new byte[minimumLength];
        lock (_gate)
        {
            _out.Add(array);
            Rents++;
            Peak = Math.Max(Peak, _out.Count);
        }

        return array;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        lock (_gate)
        {
            Assert.True(_out.Remove(array), "An array was returned twice or was never rented from this pool.");
        }
    }
}
