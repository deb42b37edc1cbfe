namespace Granary.Gateway.Wire;

/// <summary>
/// Boost's <c>DealStatusResponse</c> (map-encoded; wire key order Error, DealUUID, IsOffline, DealStatus,
/// TransferSize, NBytesReceived). <see cref="DealStatus"/> is null when the request is refused.
/// </summary>
public sealed record DealStatusResponse(
    Guid DealUuid, string Error, DealStatus? DealStatus, bool IsOffline, ulong TransferSize, ulong NBytesReceived)
{
    /// <summary>Largest message read.</summary>
    public const int MaxMessageBytes = 64 << 10;

    /// <summary>A refusal: only the UUID and the reason.</summary>
    public static DealStatusResponse Refused(Guid uuid, string error) => new(uuid, error, null, false, 0, 0);

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => WireCbor.Encode(w =>
    {
        w.WriteStartMap(6);
        w.WriteTextString("DealUUID");
        w.WriteUuid(DealUuid);
        w.WriteTextString("Error");
        w.WriteTextString(Error);
        w.WriteTextString("DealStatus");
        if (DealStatus is null)
        {
            w.WriteNull();
        }
        else
        {
            DealStatus.Write(w);
        }

        w.WriteTextString("IsOffline");
        w.WriteBoolean(IsOffline);
        w.WriteTextString("TransferSize");
        w.WriteUInt64(TransferSize);
        w.WriteTextString("NBytesReceived");
        w.WriteUInt64(NBytesReceived);
        w.WriteEndMap();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    /// <exception cref="MarketsWireException">Malformed.</exception>
    public static DealStatusResponse FromCbor(ReadOnlyMemory<byte> bytes)
    {
        var map = WireMap.Parse(bytes, "DealStatusResponse");
        return new DealStatusResponse(
            map.Required("DealUUID", r => r.ReadUuid()),
            map.Optional("Error", "", r => r.ReadText()),
            map.Optional("DealStatus", null, r => r.ReadNullable(Wire.DealStatus.Read)),
            map.Optional("IsOffline", false, r => r.ReadBool()),
            map.Optional("TransferSize", 0UL, r => r.ReadUInt()),
            map.Optional("NBytesReceived", 0UL, r => r.ReadUInt()));
    }
}
