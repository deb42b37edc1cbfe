namespace Granary.Gateway.Wire;

/// <summary>Boost's <c>DealResponse</c> (map-encoded; wire key order Message, Accepted).</summary>
/// <param name="Accepted">Whether the provider took the deal.</param>
/// <param name="Message">Why not; empty when accepted.</param>
public sealed record DealResponse(bool Accepted, string Message)
{
    /// <summary>Largest message read.</summary>
    public const int MaxMessageBytes = 64 << 10;

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => WireCbor.Encode(w =>
    {
        w.WriteStartMap(2);
        w.WriteTextString("Accepted");
        w.WriteBoolean(Accepted);
        w.WriteTextString("Message");
        w.WriteTextString(Message);
        w.WriteEndMap();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    /// <exception cref="MarketsWireException">Malformed.</exception>
    public static DealResponse FromCbor(ReadOnlyMemory<byte> bytes)
    {
        var map = WireMap.Parse(bytes, "DealResponse");
        return new DealResponse(map.Optional("Accepted", false, r => r.ReadBool()), map.Optional("Message", "", r => r.ReadText()));
    }
}
