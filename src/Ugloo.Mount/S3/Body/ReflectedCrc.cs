namespace Ugloo.Mount.S3.Body;

/// <summary>
/// The reflected CRCs S3 offers that System.IO.Hashing lacks: CRC-32C (Castagnoli, polynomial 0x1EDC6F41,
/// reflected 0x82F63B78) and CRC-64/NVME (polynomial 0xAD93D23594C93659, reflected 0x9A6C9329AC4BC9B5), both
/// with all-ones initial value and final xor. Byte-at-a-time tables: the gateway's bottleneck is the swarm,
/// not these (clients rarely ask for them; the AWS SDK's default is CRC-32).
/// </summary>
internal sealed class ReflectedCrc
{
    private static readonly ulong[] s_crc32C = Table(0x82F63B78UL);
    private static readonly ulong[] s_crc64Nvme = Table(0x9A6C9329AC4BC9B5UL);

    private readonly ulong[] _table;
    private readonly ulong _mask;
    private readonly int _bytes;
    private ulong _state;

    private ReflectedCrc(ulong[] table, int bytes)
    {
        _table = table;
        _bytes = bytes;
        _mask = bytes == 8 ? ulong.MaxValue : (1UL << (bytes * 8)) - 1;
        _state = _mask;
    }

    public static ReflectedCrc Crc32C() => new(s_crc32C, 4);

    public static ReflectedCrc Crc64Nvme() => new(s_crc64Nvme, 8);

    public void Append(ReadOnlySpan<byte> data)
    {
        ulong state = _state;
        foreach (byte b in data)
        {
            state = _table[(int)((state ^ b) & 0xFF)] ^ (state >> 8);
        }

        _state = state;
    }

    /// <summary>The CRC, big-endian (as S3 encodes it before base64).</summary>
    public byte[] GetBigEndian()
    {
        ulong value = (_state ^ _mask) & _mask;
        byte[] result = new byte[_bytes];
        for (int i = 0; i < _bytes; i++)
        {
            result[_bytes - 1 - i] = (byte)(value >> (8 * i));
        }

        return result;
    }

    private static ulong[] Table(ulong polynomial)
    {
        ulong[] table = new ulong[256];
        for (ulong i = 0; i < 256; i++)
        {
            ulong crc = i;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
            }

            table[i] = crc;
        }

        return table;
    }
}
