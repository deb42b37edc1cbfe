using System.Buffers.Binary;

namespace Granary.Libp2p.Yamux;

/// <summary>
/// The 12-byte yamux frame header: version (u8, always 0), type (u8), flags (u16), stream id (u32), length (u32),
/// all big-endian. What length means depends on the type (payload size, window delta, ping opaque, GO_AWAY code).
/// </summary>
public readonly record struct YamuxFrameHeader(YamuxFrameType Type, YamuxFlags Flags, uint StreamId, uint Length)
{
    /// <summary>Encoded size of a header.</summary>
    public const int Size = 12;

    /// <summary>The only protocol version defined.</summary>
    public const byte Version = 0;

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        destination = destination[..Size];
        destination[0] = Version;
        destination[1] = (byte)Type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Length);
    }

    /// <summary>
    /// Parses a header. Throws <see cref="YamuxProtocolException"/> for a version other than 0, an unknown frame type
    /// or fewer than 12 bytes. Unknown flag bits are kept (the session ignores them).
    /// </summary>
    public static YamuxFrameHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new YamuxProtocolException($"frame header needs {Size} bytes, got {source.Length}");
        }

        if (source[0] != Version)
        {
            throw new YamuxProtocolException($"unsupported version {source[0]} (only 0 is defined)");
        }

        if (source[1] > (byte)YamuxFrameType.GoAway)
        {
            throw new YamuxProtocolException($"unknown frame type {source[1]}");
        }

        return new YamuxFrameHeader(
            (YamuxFrameType)source[1],
            (YamuxFlags)BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[8..]));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type}[{Flags}] stream {StreamId} length {Length}";
}
