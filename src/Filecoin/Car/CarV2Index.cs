using System.Buffers.Binary;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;

namespace Granary.Filecoin.Car;

/// <summary>
/// Reads a CARv2 index: IndexSorted (0x0400, digests only) or MultihashIndexSorted (0x0401, grouped by
/// multihash code). Each bucket holds fixed-width entries of digest ‖ little-endian u64 section offset in
/// the v1 payload. The result maps multihash to offset.
/// </summary>
public static class CarV2Index
{
    /// <summary>IndexSorted.</summary>
    public const ulong IndexSorted = 0x0400;

    /// <summary>MultihashIndexSorted.</summary>
    public const ulong MultihashIndexSorted = 0x0401;

    /// <summary>Reads the index of a CARv2 file.</summary>
    /// <exception cref="FilecoinFormatException">No index, an unknown codec, or a malformed or oversized index.</exception>
    public static async Task<IReadOnlyDictionary<Multihash, long>> ReadAsync(Stream car, CarV2Header header, CarLimits? limits = null,
        CancellationToken cancellationToken = default)
    {
        limits ??= CarLimits.Default;
        if (header.IndexOffset == 0)
        {
            throw new FilecoinFormatException("this CARv2 has no index");
        }

        var length = car.Length - header.IndexOffset;
        if (length <= 0 || length > limits.MaxIndexBytes)
        {
            throw new FilecoinFormatException($"CARv2 index of {length} bytes is outside 1..{limits.MaxIndexBytes}");
        }

        var bytes = new byte[length];
        car.Seek(header.IndexOffset, SeekOrigin.Begin);
        await car.ReadExactlyAsync(bytes, cancellationToken);
        return Parse(bytes);
    }

    /// <summary>Parses index bytes.</summary>
    public static IReadOnlyDictionary<Multihash, long> Parse(ReadOnlySpan<byte> bytes)
    {
        var codec = Varint.Read(bytes, out var n);
        var rest = bytes[n..];
        var result = new Dictionary<Multihash, long>();
        switch (codec)
        {
            case IndexSorted:
                ReadBuckets(ref rest, Multihash.Sha2_256, result);
                break;
            case MultihashIndexSorted:
                var codes = ReadUInt32(ref rest);
                for (var i = 0; i < codes; i++)
                {
                    ReadBuckets(ref rest, ReadUInt64(ref rest), result);
                }

                break;
            default:
                throw new FilecoinFormatException($"unsupported CARv2 index codec 0x{codec:x}");
        }

        return rest.IsEmpty ? result : throw new FilecoinFormatException("trailing bytes after the CARv2 index");
    }

    private static void ReadBuckets(ref ReadOnlySpan<byte> rest, ulong code, Dictionary<Multihash, long> result)
    {
        var buckets = ReadUInt32(ref rest);
        for (var b = 0; b < buckets; b++)
        {
            var width = ReadUInt32(ref rest);
            var size = ReadUInt64(ref rest);
            if (width <= 8 || width > 8 + Multihash.MaxDigestBytes || size % width != 0 || size > (ulong)rest.Length)
            {
                throw new FilecoinFormatException($"CARv2 index bucket of width {width} and {size} bytes is malformed");
            }

            for (var at = 0; at < (int)size; at += (int)width)
            {
                var entry = rest.Slice(at, (int)width);
                var digestLength = (int)width - 8;
                result[new Multihash(code, entry[..digestLength].ToArray())] = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[digestLength..]);
            }

            rest = rest[(int)size..];
        }
    }

    private static uint ReadUInt32(ref ReadOnlySpan<byte> rest)
    {
        if (rest.Length < 4)
        {
            throw new FilecoinFormatException("CARv2 index is truncated");
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(rest);
        rest = rest[4..];
        return value;
    }

    private static ulong ReadUInt64(ref ReadOnlySpan<byte> rest)
    {
        if (rest.Length < 8)
        {
            throw new FilecoinFormatException("CARv2 index is truncated");
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(rest);
        rest = rest[8..];
        return value;
    }
}
