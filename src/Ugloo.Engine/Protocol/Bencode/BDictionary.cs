using System.Text;

namespace Ugloo.Engine.Protocol.Bencode;

/// <summary>
/// A bencoded dictionary, <c>d&lt;key&gt;&lt;value&gt;...e</c>. BEP 3: "Keys must be strings and appear in
/// sorted order (sorted as raw strings, not alphanumerics)". Entries are kept sorted by raw key bytes
/// at all times, so encoding is canonical and lookups are a binary search.
/// </summary>
internal sealed class BDictionary : BValue
{
    // Sorted by key, compared as unsigned bytes (ordinal), unique.
    private readonly List<KeyValuePair<byte[], BValue>> _entries = [];

    public int Count => _entries.Count;

    public IReadOnlyList<KeyValuePair<byte[], BValue>> Entries => _entries;

    public BValue? this[string key]
    {
        get => TryGetValue(key, out BValue? value) ? value : null;
        set
        {
            if (value is null)
            {
                Remove(key);
            }
            else
            {
                Set(Encoding.UTF8.GetBytes(key), value);
            }
        }
    }

    /// <summary>Adds or replaces an entry; the list stays sorted.</summary>
    public void Set(byte[] key, BValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        int index = IndexOf(key);
        if (index >= 0)
        {
            _entries[index] = new(key, value);
        }
        else
        {
            _entries.Insert(~index, new(key, value));
        }
    }

    public void Set(string key, BValue value) => Set(Encoding.UTF8.GetBytes(key), value);

    public void Set(string key, long value) => Set(key, new BInteger(value));

    public void Set(string key, byte[] value) => Set(key, new BString(value));

    public void Set(string key, string value) => Set(key, new BString(value));

    public bool Remove(string key)
    {
        int index = IndexOf(Encoding.UTF8.GetBytes(key));
        if (index < 0)
        {
            return false;
        }

        _entries.RemoveAt(index);
        return true;
    }

    public bool TryGetValue(ReadOnlySpan<byte> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BValue? value)
    {
        int index = IndexOf(key);
        value = index >= 0 ? _entries[index].Value : null;
        return index >= 0;
    }

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BValue? value)
    {
        // Our keys are short ASCII; a stack buffer avoids an allocation per lookup.
        Span<byte> buffer = stackalloc byte[64];
        int count = Encoding.UTF8.GetMaxByteCount(key.Length) <= buffer.Length
            ? Encoding.UTF8.GetBytes(key, buffer)
            : -1;
        return count >= 0
            ? TryGetValue(buffer[..count], out value)
            : TryGetValue(Encoding.UTF8.GetBytes(key), out value);
    }

    public bool TryGetInteger(string key, out long value)
    {
        if (TryGetValue(key, out BValue? v) && v is BInteger integer)
        {
            value = integer.Value;
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryGetBytes(string key, out ReadOnlyMemory<byte> value)
    {
        if (TryGetValue(key, out BValue? v) && v is BString s)
        {
            value = s.Memory;
            return true;
        }

        value = default;
        return false;
    }

    public bool TryGetString(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = TryGetValue(key, out BValue? v) && v is BString s ? s.ToUtf8String() : null;
        return value is not null;
    }

    public BDictionary? GetDictionary(string key) => TryGetValue(key, out BValue? v) ? v as BDictionary : null;

    public BList? GetList(string key) => TryGetValue(key, out BValue? v) ? v as BList : null;

    /// <summary>Appends an entry whose key the decoder has already checked sorts after the last one.</summary>
    internal void AppendSorted(byte[] key, BValue value) => _entries.Add(new(key, value));

    internal ReadOnlySpan<byte> LastKey => _entries.Count == 0 ? default : _entries[^1].Key;

    private int IndexOf(ReadOnlySpan<byte> key)
    {
        int lo = 0;
        int hi = _entries.Count - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            int c = _entries[mid].Key.AsSpan().SequenceCompareTo(key);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }
}
