using System.Buffers;
using System.Text;
using Granary.Filecoin.Encoding;

namespace Granary.Libp2p.Protobuf;

/// <summary>
/// Writes a proto2 message field by field. Fields come out in the order they are written, with minimal varints,
/// which is what libp2p's "deterministic encoding" rule needs as long as callers write fields in tag order.
/// </summary>
public sealed class ProtoWriter(int initialCapacity = 64)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(Math.Max(initialCapacity, 16));

    /// <summary>Bytes written so far.</summary>
    public int Length => _buffer.WrittenCount;

    /// <summary>The bytes written so far (valid until the next write).</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>Writes a varint field (int32/uint64/bool/enum; negative int32 values are not used by libp2p).</summary>
    public void WriteVarint(int fieldNumber, ulong value)
    {
        WriteKey(fieldNumber, ProtoWireType.Varint);
        WriteRawVarint(value);
    }

    /// <summary>Writes a length-delimited bytes field.</summary>
    public void WriteBytes(int fieldNumber, ReadOnlySpan<byte> value)
    {
        WriteKey(fieldNumber, ProtoWireType.LengthDelimited);
        WriteRawVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>Writes a UTF-8 string field.</summary>
    public void WriteString(int fieldNumber, string value)
    {
        WriteKey(fieldNumber, ProtoWireType.LengthDelimited);
        var length = Encoding.UTF8.GetByteCount(value);
        WriteRawVarint((ulong)length);
        var span = _buffer.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        _buffer.Advance(length);
    }

    /// <summary>Writes an embedded message field (its bytes as built by another writer).</summary>
    public void WriteMessage(int fieldNumber, ProtoWriter message) => WriteBytes(fieldNumber, message.WrittenSpan);

    /// <summary>A copy of the bytes written.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void WriteKey(int fieldNumber, ProtoWireType wireType)
    {
        if (fieldNumber is < 1 or > ProtoReader.MaxFieldNumber)
        {
            throw new ArgumentOutOfRangeException(nameof(fieldNumber), fieldNumber, "protobuf field numbers are 1..2^29-1");
        }

        WriteRawVarint(((ulong)fieldNumber << 3) | (ulong)wireType);
    }

    private void WriteRawVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        _buffer.Advance(Varint.Write(value, span));
    }
}
