using System.Formats.Cbor;
using Granary.Filecoin.Crypto;
using Granary.Grains.Deals;

namespace Granary.Gateway.Wire;

/// <summary>
/// go-fil-markets' <c>SignedStorageAsk</c> (map-encoded; wire key order Ask, Signature): the ask and the worker's
/// signature over the ask's CBOR. The ask itself is <see cref="StorageAsk"/> (its encoding is what the worker signs).
/// </summary>
public sealed record SignedStorageAsk(StorageAsk? Ask, Signature? Signature)
{
    /// <summary>The wire form of a grain's signed ask.</summary>
    public static SignedStorageAsk From(SignedAsk signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        return new(signed.Ask, Filecoin.Crypto.Signature.FromBytes(signed.Signature));
    }

    internal void Write(CborWriter w)
    {
        w.WriteStartMap(2);
        w.WriteTextString("Ask");
        if (Ask is null)
        {
            w.WriteNull();
        }
        else
        {
            w.WriteEncodedValue(Ask.ToCbor());
        }

        w.WriteTextString("Signature");
        w.WriteSignature(Signature);
        w.WriteEndMap();
    }

    internal static SignedStorageAsk Read(CborReader r)
    {
        var map = WireMap.Read(r, "SignedStorageAsk");
        return new SignedStorageAsk(map.Optional("Ask", null, x => x.ReadNullable(ReadAsk)), map.Optional("Signature", null, x => x.ReadNullableSignature()));
    }

    /// <summary>Reads a <see cref="StorageAsk"/> map.</summary>
    public static StorageAsk ReadAsk(CborReader r)
    {
        var map = WireMap.Read(r, "StorageAsk");
        return new StorageAsk(
            map.Optional("Price", Filecoin.Tokens.TokenAmount.Zero, x => x.ReadAmount()).AttoFil,
            map.Optional("VerifiedPrice", Filecoin.Tokens.TokenAmount.Zero, x => x.ReadAmount()).AttoFil,
            (long)map.Optional("MinPieceSize", 0UL, x => x.ReadUInt()),
            (long)map.Optional("MaxPieceSize", 0UL, x => x.ReadUInt()),
            map.Required("Miner", x => x.ReadAddress()).ToString('t'),
            map.Optional("Timestamp", 0L, x => x.ReadInt()),
            map.Optional("Expiry", 0L, x => x.ReadInt()),
            map.Optional("SeqNo", 0UL, x => x.ReadUInt()));
    }
}
