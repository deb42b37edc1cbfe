using Granary.Filecoin.Addresses;
using Granary.Filecoin.Tokens;

namespace Granary.Gateway.Wire;

/// <summary><c>QueryResponseStatus</c>: whether the provider can serve the payload.</summary>
public enum QueryResponseStatus : ulong
{
    /// <summary>The provider has it and will serve it.</summary>
    Available = 0,

    /// <summary>The provider does not have it (or will not serve it).</summary>
    Unavailable = 1,

    /// <summary>Something went wrong answering.</summary>
    Error = 2,
}

/// <summary><c>QueryItemStatus</c>: whether the requested piece was found.</summary>
public enum QueryItemStatus : ulong
{
    /// <summary>Found.</summary>
    Available = 0,

    /// <summary>Not found.</summary>
    Unavailable = 1,

    /// <summary>Cannot tell.</summary>
    Unknown = 2,
}

/// <summary>
/// The response of <c>/fil/retrieval/qry/1.0.0</c> (map-encoded; wire key order Size, Status, Message, UnsealPrice,
/// PieceCIDFound, PaymentAddress, MinPricePerByte, MaxPaymentInterval, MaxPaymentIntervalIncrease).
/// </summary>
public sealed record QueryResponse(
    QueryResponseStatus Status, QueryItemStatus PieceCidFound, ulong Size, Address PaymentAddress, TokenAmount MinPricePerByte,
    ulong MaxPaymentInterval, ulong MaxPaymentIntervalIncrease, string Message, TokenAmount UnsealPrice)
{
    /// <summary>Largest message read.</summary>
    public const int MaxMessageBytes = 16 << 10;

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => WireCbor.Encode(w =>
    {
        w.WriteStartMap(9);
        w.WriteTextString("Status");
        w.WriteUInt64((ulong)Status);
        w.WriteTextString("PieceCIDFound");
        w.WriteUInt64((ulong)PieceCidFound);
        w.WriteTextString("Size");
        w.WriteUInt64(Size);
        w.WriteTextString("PaymentAddress");
        w.WriteAddress(PaymentAddress);
        w.WriteTextString("MinPricePerByte");
        w.WriteAmount(MinPricePerByte);
        w.WriteTextString("MaxPaymentInterval");
        w.WriteUInt64(MaxPaymentInterval);
        w.WriteTextString("MaxPaymentIntervalIncrease");
        w.WriteUInt64(MaxPaymentIntervalIncrease);
        w.WriteTextString("Message");
        w.WriteTextString(Message);
        w.WriteTextString("UnsealPrice");
        w.WriteAmount(UnsealPrice);
        w.WriteEndMap();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    /// <exception cref="MarketsWireException">Malformed.</exception>
    public static QueryResponse FromCbor(ReadOnlyMemory<byte> bytes)
    {
        var map = WireMap.Parse(bytes, "QueryResponse");
        return new QueryResponse(
            (QueryResponseStatus)map.Optional("Status", 0UL, r => r.ReadUInt()),
            (QueryItemStatus)map.Optional("PieceCIDFound", 0UL, r => r.ReadUInt()),
            map.Optional("Size", 0UL, r => r.ReadUInt()),
            map.Required("PaymentAddress", r => r.ReadAddress()),
            map.Optional("MinPricePerByte", TokenAmount.Zero, r => r.ReadAmount()),
            map.Optional("MaxPaymentInterval", 0UL, r => r.ReadUInt()),
            map.Optional("MaxPaymentIntervalIncrease", 0UL, r => r.ReadUInt()),
            map.Optional("Message", "", r => r.ReadText()),
            map.Optional("UnsealPrice", TokenAmount.Zero, r => r.ReadAmount()));
    }
}
