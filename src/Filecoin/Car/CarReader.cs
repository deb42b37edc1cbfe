using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Runtime.CompilerServices;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Cids;

namespace Granary.Filecoin.Car;

/// <summary>
/// Streams blocks out of a CAR (content-addressed archive), v1 or v2. v1: a varint-prefixed DAG-CBOR
/// header <c>{roots, version: 1}</c>, then sections of varint length, CID, block data. v2: an 11-byte
/// pragma, a 40-byte header (characteristics, data offset/size, index offset), the v1 payload, an index.
/// Every length is checked against <see cref="CarLimits"/> before anything is allocated.
/// </summary>
public sealed class CarReader
{
    /// <summary>The CARv2 pragma: a varint-prefixed DAG-CBOR map <c>{version: 2}</c>.</summary>
    public static ReadOnlySpan<byte> V2Pragma => [0x0a, 0xa1, 0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x02];

    private readonly Stream _stream;
    private readonly CarLimits _limits;
    private long _payloadPosition;

    private CarReader(Stream stream, CarLimits limits, int version, IReadOnlyList<Cid> roots, CarV2Header? v2, long payloadPosition)
    {
        _stream = stream;
        _limits = limits;
        Version = version;
        Roots = roots;
        V2Header = v2;
        _payloadPosition = payloadPosition;
    }

    /// <summary>1 or 2.</summary>
    public int Version { get; }

    /// <summary>The root CIDs from the (inner) v1 header.</summary>
    public IReadOnlyList<Cid> Roots { get; }

    /// <summary>The v2 header, for a CARv2.</summary>
    public CarV2Header? V2Header { get; }

    /// <summary>Reads the header(s) and positions the reader at the first block.</summary>
    /// <exception cref="FilecoinFormatException">Not a CAR, or a header past the limits.</exception>
    public static async Task<CarReader> OpenAsync(Stream stream, CarLimits? limits = null, CancellationToken cancellationToken = default)
    {
        limits ??= CarLimits.Default;
        var (first, prefix) = await ReadHeaderAsync(stream, limits, cancellationToken);
        if (first.Version == 1)
        {
            return new CarReader(stream, limits, 1, first.Roots, null, prefix);
        }

        var fixedHeader = new byte[CarV2Header.Size];
        await ReadExactlyAsync(stream, fixedHeader, "CARv2 header", cancellationToken);
        var v2 = CarV2Header.Read(fixedHeader);
        var consumed = prefix + CarV2Header.Size;
        if (v2.DataOffset < consumed)
        {
            throw new FilecoinFormatException($"CARv2 data offset {v2.DataOffset} points inside the header");
        }

        await SkipAsync(stream, v2.DataOffset - consumed, cancellationToken);
        var bounded = new BoundedReadStream(stream, v2.DataSize);
        var (inner, innerPrefix) = await ReadHeaderAsync(bounded, limits, cancellationToken);
        if (inner.Version != 1)
        {
            throw new FilecoinFormatException("a CARv2 must wrap a CARv1 payload");
        }

        return new CarReader(bounded, limits, 2, inner.Roots, v2, innerPrefix);
    }

    /// <summary>The blocks, in file order.</summary>
    /// <exception cref="FilecoinFormatException">A truncated, oversized, zero-length or malformed section.</exception>
    public async IAsyncEnumerable<CarBlock> ReadBlocksAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await StreamVarint.ReadAsync(_stream, cancellationToken) is { } length)
        {
            var offset = _payloadPosition;
            if (length.Value == 0)
            {
                throw new FilecoinFormatException($"zero-length CAR section at payload offset {offset}");
            }

            if (length.Value > (ulong)_limits.MaxSectionBytes)
            {
                throw new FilecoinFormatException($"CAR section of {length.Value} bytes at payload offset {offset} is larger than {_limits.MaxSectionBytes}");
            }

            var section = new byte[length.Value];
            await ReadExactlyAsync(_stream, section, "CAR section", cancellationToken);
            var cid = Cid.Read(section, out var cidLength);
            _payloadPosition += length.Length + section.Length;
            yield return new CarBlock(cid, section.AsMemory(cidLength), offset);
        }
    }

    private static async Task<(CarHeader Header, long Consumed)> ReadHeaderAsync(Stream stream, CarLimits limits, CancellationToken cancellationToken)
    {
        var length = await StreamVarint.ReadAsync(stream, cancellationToken) ?? throw new FilecoinFormatException("empty input is not a CAR");
        if (length.Value == 0 || length.Value > (ulong)limits.MaxHeaderBytes)
        {
            throw new FilecoinFormatException($"CAR header length {length.Value} is outside 1..{limits.MaxHeaderBytes}");
        }

        var bytes = new byte[length.Value];
        await ReadExactlyAsync(stream, bytes, "CAR header", cancellationToken);
        return (CarHeader.Read(bytes), length.Length + bytes.Length);
    }

    private static async Task ReadExactlyAsync(Stream stream, byte[] buffer, string what, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw new FilecoinFormatException($"{what} is truncated");
        }
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        if (stream.CanSeek)
        {
            stream.Seek(count, SeekOrigin.Current);
            return;
        }

        var buffer = new byte[Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(count, buffer.Length)), cancellationToken);
            if (n == 0)
            {
                throw new FilecoinFormatException("CARv2 ends before its data offset");
            }

            count -= n;
        }
    }
}

/// <summary>A CAR header: <c>{roots: [CID], version: N}</c>; a CARv2 pragma reads as version 2 with no roots.</summary>
internal sealed record CarHeader(int Version, IReadOnlyList<Cid> Roots)
{
    public static CarHeader Read(byte[] bytes)
    {
        var r = DagCbor.Reader(bytes);
        var entries = DagCbor.Guard(r.ReadStartMap) ?? throw new FilecoinFormatException("CAR header must be a definite-length map");
        int? version = null;
        var roots = new List<Cid>();
        for (var i = 0; i < entries; i++)
        {
            switch (DagCbor.Guard(r.ReadTextString))
            {
                case "version":
                    version = (int)DagCbor.Guard(r.ReadUInt32);
                    break;
                case "roots":
                    var count = DagCbor.Guard(r.ReadStartArray) ?? throw new FilecoinFormatException("CAR roots must be a definite-length array");
                    for (var j = 0; j < count; j++)
                    {
                        roots.Add(r.ReadCid());
                    }

                    DagCbor.Guard(() => { r.ReadEndArray(); return 0; });
                    break;
                default:
                    DagCbor.Guard(() => { r.SkipValue(); return 0; });
                    break;
            }
        }

        DagCbor.Guard(() => { r.ReadEndMap(); return 0; });
        r.ExpectEnd("CAR header");
        return version switch
        {
            1 when roots.Count > 0 => new CarHeader(1, roots),
            1 => throw new FilecoinFormatException("CARv1 header has no roots"),
            2 => new CarHeader(2, []),
            null => throw new FilecoinFormatException("CAR header has no version"),
            _ => throw new FilecoinFormatException($"unsupported CAR version {version}"),
        };
    }
}

/// <summary>The fixed 40-byte CARv2 header after the pragma.</summary>
public sealed record CarV2Header(byte[] Characteristics, long DataOffset, long DataSize, long IndexOffset)
{
    /// <summary>Bytes after the pragma.</summary>
    public const int Size = 40;

    /// <summary>True if the CAR says its index covers every block including identity CIDs.</summary>
    public bool FullyIndexed => (Characteristics[0] & 0x80) != 0;

    internal static CarV2Header Read(ReadOnlySpan<byte> bytes)
    {
        var dataOffset = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        var dataSize = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
        var indexOffset = BinaryPrimitives.ReadUInt64LittleEndian(bytes[32..]);
        if (dataOffset > long.MaxValue / 2 || dataSize > long.MaxValue / 2 || indexOffset > long.MaxValue / 2)
        {
            throw new FilecoinFormatException("CARv2 header offsets are out of range");
        }

        if (indexOffset != 0 && indexOffset < dataOffset + dataSize)
        {
            throw new FilecoinFormatException("CARv2 index overlaps its data");
        }

        return new CarV2Header(bytes[..16].ToArray(), (long)dataOffset, (long)dataSize, (long)indexOffset);
    }
}
