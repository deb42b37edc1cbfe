namespace Granary.Libp2p.Protobuf;

/// <summary>The protobuf wire types (the low 3 bits of a field key).</summary>
public enum ProtoWireType
{
    /// <summary>A base-128 varint (int32/64, uint32/64, bool, enum).</summary>
    Varint = 0,

    /// <summary>Eight little-endian bytes (fixed64, sfixed64, double).</summary>
    Fixed64 = 1,

    /// <summary>A varint length, then that many bytes (bytes, string, sub-messages, packed repeated).</summary>
    LengthDelimited = 2,

    /// <summary>Deprecated group start; libp2p messages never use groups, so the reader rejects it.</summary>
    StartGroup = 3,

    /// <summary>Deprecated group end; rejected like <see cref="StartGroup"/>.</summary>
    EndGroup = 4,

    /// <summary>Four little-endian bytes (fixed32, sfixed32, float).</summary>
    Fixed32 = 5,
}
