namespace Ugloo.Engine.Protocol.Bencode;

/// <summary>A bencoded list, <c>l&lt;values&gt;e</c> (BEP 3).</summary>
internal sealed class BList : BValue
{
    private readonly List<BValue> _items;

    public BList()
    {
        _items = [];
    }

    public BList(IEnumerable<BValue> items)
    {
        _items = [.. items];
    }

    public int Count => _items.Count;

    public BValue this[int index] => _items[index];

    public IReadOnlyList<BValue> Items => _items;

    public void Add(BValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _items.Add(value);
    }
}
