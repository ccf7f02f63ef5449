namespace Ugloo.Engine.Protocol.Bencode;

/// <summary>
/// Strict bencode decoder (BEP 3, "bencoding"). Exactly one canonical encoding of each value is
/// accepted, so that a value has one byte form and hashes over encoded dictionaries are stable:
/// <list type="bullet">
/// <item>integers <c>i&lt;n&gt;e</c>: no leading zeros, no <c>-0</c>, no empty <c>ie</c>, no <c>+</c>, within <see cref="long"/>;</item>
/// <item>strings <c>&lt;len&gt;:&lt;bytes&gt;</c>: length without leading zeros, within the input and <see cref="BencodeOptions.MaxStringLength"/>;</item>
/// <item>dictionaries: keys are strings in strictly ascending raw-byte order (sorted and unique);</item>
/// <item>nothing after the top-level value (<see cref="Decode"/>), depth and item count bounded.</item>
/// </list>
/// Every failure is a <see cref="BencodeException"/> carrying the offset.
/// </summary>
internal static class BencodeDecoder
{
    /// <summary>Decodes exactly one value occupying all of <paramref name="input"/>.</summary>
    public static BValue Decode(ReadOnlySpan<byte> input, BencodeOptions? options = null)
    {
        BValue value = DecodePrefix(input, out int consumed, options);
        if (consumed != input.Length)
        {
            throw new BencodeException("Trailing bytes after the bencoded value", consumed);
        }

        return value;
    }

    /// <summary>
    /// Decodes the value at the start of <paramref name="input"/> and reports how many bytes it took.
    /// Used for messages shaped like BEP 9's ut_metadata: a bencoded dictionary followed by raw bytes.
    /// </summary>
    public static BValue DecodePrefix(ReadOnlySpan<byte> input, out int consumed, BencodeOptions? options = null)
    {
        options ??= BencodeOptions.Default;
        if (input.Length > options.MaxInputLength)
        {
            throw new BencodeException($"Input of {input.Length} bytes exceeds the limit of {options.MaxInputLength}", 0);
        }

        var reader = new Reader(input, options);
        BValue value = reader.ReadValue(0);
        consumed = reader.Position;
        return value;
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _input;
        private readonly BencodeOptions _options;
        private int _position;
        private int _items;

        public Reader(ReadOnlySpan<byte> input, BencodeOptions options)
        {
            _input = input;
            _options = options;
        }

        public readonly int Position => _position;

        public BValue ReadValue(int depth)
        {
            if (_position >= _input.Length)
            {
                throw new BencodeException("Unexpected end of input", _position);
            }

            if (++_items > _options.MaxItems)
            {
                throw new BencodeException($"More than {_options.MaxItems} values", _position);
            }

            byte b = _input[_position];
            switch (b)
            {
                case (byte)'i':
                    return new BInteger(ReadInteger());
                case (byte)'l':
                    return ReadList(depth + 1);
                case (byte)'d':
                    return ReadDictionary(depth + 1);
                case >= (byte)'0' and <= (byte)'9':
                    return new BString(ReadString());
                default:
                    throw new BencodeException($"Unexpected byte 0x{b:X2}", _position);
            }
        }

        private BList ReadList(int depth)
        {
            CheckDepth(depth);
            _position++; // 'l'
            var list = new BList();
            while (true)
            {
                if (_position >= _input.Length)
                {
                    throw new BencodeException("Unterminated list", _position);
                }

                if (_input[_position] == (byte)'e')
                {
                    _position++;
                    return list;
                }

                list.Add(ReadValue(depth));
            }
        }

        private BDictionary ReadDictionary(int depth)
        {
            CheckDepth(depth);
            _position++; // 'd'
            var dictionary = new BDictionary();
            while (true)
            {
                if (_position >= _input.Length)
                {
                    throw new BencodeException("Unterminated dictionary", _position);
                }

                byte b = _input[_position];
                if (b == (byte)'e')
                {
                    _position++;
                    return dictionary;
                }

                int keyOffset = _position;
                if (b is < (byte)'0' or > (byte)'9')
                {
                    throw new BencodeException("Dictionary key is not a string", keyOffset);
                }

                if (++_items > _options.MaxItems)
                {
                    throw new BencodeException($"More than {_options.MaxItems} values", keyOffset);
                }

                byte[] key = ReadString();

                // BEP 3: keys "appear in sorted order (sorted as raw strings, not alphanumerics)".
                // Strictly ascending also rules out duplicates.
                if (dictionary.Count > 0 && dictionary.LastKey.SequenceCompareTo(key) >= 0)
                {
                    throw new BencodeException("Dictionary keys are not sorted and unique", keyOffset);
                }

                dictionary.AppendSorted(key, ReadValue(depth));
            }
        }

        private readonly void CheckDepth(int depth)
        {
            if (depth > _options.MaxDepth)
            {
                throw new BencodeException($"Nesting deeper than {_options.MaxDepth}", _position);
            }
        }

        private long ReadInteger()
        {
            int start = _position;
            _position++; // 'i'
            bool negative = false;
            if (_position < _input.Length && _input[_position] == (byte)'-')
            {
                negative = true;
                _position++;
            }

            int digitsStart = _position;

            // Magnitude limit: |long.MinValue| = long.MaxValue + 1.
            ulong limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
            ulong magnitude = 0;
            while (_position < _input.Length && _input[_position] is >= (byte)'0' and <= (byte)'9')
            {
                uint digit = (uint)(_input[_position] - '0');
                if (magnitude > (limit - digit) / 10)
                {
                    throw new BencodeException("Integer overflows 64 bits", start);
                }

                magnitude = (magnitude * 10) + digit;
                _position++;
            }

            int digitCount = _position - digitsStart;
            if (_position >= _input.Length)
            {
                throw new BencodeException("Unterminated integer", _position);
            }

            if (_input[_position] != (byte)'e')
            {
                throw new BencodeException($"Unexpected byte 0x{_input[_position]:X2} in integer", _position);
            }

            if (digitCount == 0)
            {
                throw new BencodeException("Integer without digits", start);
            }

            // BEP 3: "i-0e is invalid. All encodings with a leading zero, such as i03e, are invalid,
            // other than i0e, which of course corresponds to 0."
            if (_input[digitsStart] == (byte)'0' && (digitCount > 1 || negative))
            {
                throw new BencodeException("Integer with a leading zero or negative zero", start);
            }

            _position++; // 'e'
            return negative ? (long)(0UL - magnitude) : (long)magnitude;
        }

        private byte[] ReadString()
        {
            int start = _position;
            long length = 0;
            while (_position < _input.Length && _input[_position] is >= (byte)'0' and <= (byte)'9')
            {
                length = (length * 10) + (_input[_position] - '0');
                if (length > _options.MaxStringLength)
                {
                    throw new BencodeException($"String longer than the limit of {_options.MaxStringLength}", start);
                }

                _position++;
            }

            if (_position >= _input.Length)
            {
                throw new BencodeException("Unterminated string length", _position);
            }

            if (_input[_position] != (byte)':')
            {
                throw new BencodeException($"Unexpected byte 0x{_input[_position]:X2} in string length", _position);
            }

            if (_input[start] == (byte)'0' && _position - start > 1)
            {
                throw new BencodeException("String length with a leading zero", start);
            }

            _position++; // ':'

            // Checked before allocating: a claimed length beyond the input never costs memory.
            if (length > _input.Length - _position)
            {
                throw new BencodeException($"String of {length} bytes runs past the end of input", start);
            }

            byte[] bytes = _input.Slice(_position, (int)length).ToArray();
            _position += (int)length;
            return bytes;
        }
    }
}
