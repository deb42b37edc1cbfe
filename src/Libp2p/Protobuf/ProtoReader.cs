using System.Buffers.Binary;
using System.Text;

namespace Granary.Libp2p.Protobuf;

/// <summary>
/// Reads a proto2 message field by field from a span. Unknown fields of wire types 0, 1, 2 and 5 can be skipped;
/// groups and the undefined wire types 6/7 are rejected. Every problem (truncation, varint overflow, a length past
/// the end, an oversized message) is a <see cref="Libp2pProtocolException"/> that says what was wrong.
/// </summary>
/// <remarks>
/// Protobuf varints are not the multiformats ones: they may be 10 bytes long and need not be minimal, so this reader
/// has its own varint decoder instead of <c>Granary.Filecoin.Encoding.Varint</c>.
/// </remarks>
public ref struct ProtoReader
{
    /// <summary>Largest field number protobuf allows.</summary>
    public const int MaxFieldNumber = (1 << 29) - 1;

    /// <summary>Default limit on the message size (libp2p's own messages are all far smaller).</summary>
    public const int DefaultMaxMessageSize = 64 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _message;
    private int _position;
    private ProtoWireType _wireType;
    private bool _hasField;

    /// <summary>Starts reading <paramref name="message"/>.</summary>
    /// <exception cref="Libp2pProtocolException">The message is longer than <paramref name="maxMessageSize"/>.</exception>
    public ProtoReader(ReadOnlySpan<byte> message, int maxMessageSize = DefaultMaxMessageSize)
    {
        if (message.Length > maxMessageSize)
        {
            throw new Libp2pProtocolException($"protobuf message of {message.Length} bytes exceeds the limit of {maxMessageSize} bytes");
        }

        _message = message;
    }

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _message.Length - _position;

    /// <summary>
    /// Reads the next field key. Returns false at the end of the message. After true, read the value with the
    /// method matching <paramref name="wireType"/> or call <see cref="SkipField"/>.
    /// </summary>
    /// <exception cref="Libp2pProtocolException">A bad key: field number 0 or too large, a group, or wire type 6/7.</exception>
    public bool TryReadField(out int fieldNumber, out ProtoWireType wireType)
    {
        if (_hasField)
        {
            // The caller ignored the previous value; skipping keeps the reader aligned on field boundaries.
            SkipField();
        }

        if (_position >= _message.Length)
        {
            fieldNumber = 0;
            wireType = default;
            return false;
        }

        var key = ReadRawVarint("field key");
        var number = key >> 3;
        if (number is 0 or > MaxFieldNumber)
        {
            throw new Libp2pProtocolException($"protobuf field number {number} is out of range");
        }

        wireType = (ProtoWireType)(key & 7);
        switch (wireType)
        {
            case ProtoWireType.Varint or ProtoWireType.Fixed64 or ProtoWireType.LengthDelimited or ProtoWireType.Fixed32:
                break;
            case ProtoWireType.StartGroup or ProtoWireType.EndGroup:
                throw new Libp2pProtocolException($"protobuf field {number} uses groups, which libp2p messages never do");
            default:
                throw new Libp2pProtocolException($"protobuf field {number} has the invalid wire type {(int)wireType}");
        }

        fieldNumber = (int)number;
        _wireType = wireType;
        _hasField = true;
        return true;
    }

    /// <summary>Reads the current field as a varint.</summary>
    /// <exception cref="Libp2pProtocolException">The field is not a varint, or the varint is truncated or overflows.</exception>
    public ulong ReadVarint()
    {
        Expect(ProtoWireType.Varint);
        return ReadRawVarint("varint field");
    }

    /// <summary>Reads the current field as a varint that must fit an <see cref="int"/> (enums, sizes).</summary>
    /// <exception cref="Libp2pProtocolException">Not a varint, or a value outside 0..int.MaxValue.</exception>
    public int ReadInt32()
    {
        var value = ReadVarint();
        return value <= int.MaxValue ? (int)value : throw new Libp2pProtocolException($"protobuf varint {value} does not fit a non-negative int32");
    }

    /// <summary>Reads the current field as length-delimited bytes (a slice of the message, no copy).</summary>
    /// <exception cref="Libp2pProtocolException">Not length-delimited, or the length runs past the end.</exception>
    public ReadOnlySpan<byte> ReadBytes()
    {
        Expect(ProtoWireType.LengthDelimited);
        return ReadLengthDelimited();
    }

    /// <summary>Reads the current field as a UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="Libp2pProtocolException">Not length-delimited, too long, truncated, or not valid UTF-8.</exception>
    public string ReadString(int maxBytes = int.MaxValue)
    {
        var bytes = ReadBytes();
        if (bytes.Length > maxBytes)
        {
            throw new Libp2pProtocolException($"protobuf string of {bytes.Length} bytes exceeds the limit of {maxBytes} bytes");
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new Libp2pProtocolException("protobuf string is not valid UTF-8", e);
        }
    }

    /// <summary>Skips the value of the current field (any supported wire type).</summary>
    /// <exception cref="Libp2pProtocolException">The value is truncated.</exception>
    public void SkipField()
    {
        if (!_hasField)
        {
            throw new InvalidOperationException("no field to skip: call TryReadField first");
        }

        _hasField = false;
        switch (_wireType)
        {
            case ProtoWireType.Varint:
                ReadRawVarint("skipped varint");
                break;
            case ProtoWireType.Fixed64:
                Advance(8, "fixed64");
                break;
            case ProtoWireType.Fixed32:
                Advance(4, "fixed32");
                break;
            default:
                ReadLengthDelimited();
                break;
        }
    }

    /// <summary>Reads the current field as a fixed64 (little-endian).</summary>
    /// <exception cref="Libp2pProtocolException">Not fixed64, or truncated.</exception>
    public ulong ReadFixed64()
    {
        Expect(ProtoWireType.Fixed64);
        var start = _position;
        Advance(8, "fixed64");
        return BinaryPrimitives.ReadUInt64LittleEndian(_message.Slice(start, 8));
    }

    /// <summary>Reads the current field as a fixed32 (little-endian).</summary>
    /// <exception cref="Libp2pProtocolException">Not fixed32, or truncated.</exception>
    public uint ReadFixed32()
    {
        Expect(ProtoWireType.Fixed32);
        var start = _position;
        Advance(4, "fixed32");
        return BinaryPrimitives.ReadUInt32LittleEndian(_message.Slice(start, 4));
    }

    private void Expect(ProtoWireType wireType)
    {
        if (!_hasField)
        {
            throw new InvalidOperationException("no field to read: call TryReadField first");
        }

        if (_wireType != wireType)
        {
            throw new Libp2pProtocolException($"protobuf field has wire type {_wireType}, expected {wireType}");
        }

        _hasField = false;
    }

    private ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadRawVarint("length prefix");
        if (length > (ulong)Remaining)
        {
            throw new Libp2pProtocolException($"protobuf length-delimited field of {length} bytes runs past the end of the message ({Remaining} bytes left)");
        }

        var slice = _message.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    private void Advance(int count, string what)
    {
        if (count > Remaining)
        {
            throw new Libp2pProtocolException($"protobuf {what} is truncated");
        }

        _position += count;
    }

    private ulong ReadRawVarint(string what)
    {
        ulong value = 0;
        for (var i = 0; i < 10; i++)
        {
            if (_position >= _message.Length)
            {
                throw new Libp2pProtocolException($"protobuf {what} is truncated");
            }

            var b = _message[_position++];
            if (i == 9 && b > 1)
            {
                // The tenth byte may only carry bit 63.
                throw new Libp2pProtocolException($"protobuf {what} overflows 64 bits");
            }

            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new Libp2pProtocolException($"protobuf {what} overflows 64 bits");
    }
}
