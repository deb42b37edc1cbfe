using System.Numerics;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Tokens;

namespace Granary.Grains.Deals;

/// <summary>
/// The storage ask (go-fil-markets' <c>StorageAsk</c>): the miner's prices and piece size limits, what the worker key
/// signs. Its CBOR is a cbor-gen map with the wire key order Miner, Price, SeqNo, Expiry, Timestamp, MaxPieceSize,
/// MinPieceSize, VerifiedPrice (reference/filecoin.md §2.5).
/// </summary>
/// <param name="Price">attoFIL per GiB per epoch for unverified deals.</param>
/// <param name="VerifiedPrice">attoFIL per GiB per epoch for verified deals.</param>
/// <param name="MinPieceSize">Smallest padded piece accepted.</param>
/// <param name="MaxPieceSize">Largest padded piece accepted.</param>
/// <param name="Miner">The miner address (text).</param>
/// <param name="Timestamp">The epoch the ask was set at.</param>
/// <param name="Expiry">The epoch it expires at.</param>
/// <param name="SeqNo">Incremented by every change.</param>
[GenerateSerializer, Immutable, Alias("granary.StorageAsk")]
public sealed record StorageAsk(
    [property: Id(0)] BigInteger Price,
    [property: Id(1)] BigInteger VerifiedPrice,
    [property: Id(2)] long MinPieceSize,
    [property: Id(3)] long MaxPieceSize,
    [property: Id(4)] string Miner,
    [property: Id(5)] long Timestamp,
    [property: Id(6)] long Expiry,
    [property: Id(7)] ulong SeqNo)
{
    /// <summary>The CBOR bytes (what the worker signs: <c>cborutil.Dump(ask)</c>).</summary>
    public byte[] ToCbor()
    {
        var w = DagCbor.Writer();
        w.WriteStartMap(8);
        w.WriteTextString("Price");
        w.WriteByteString(new TokenAmount(Price).ToBytes());
        w.WriteTextString("VerifiedPrice");
        w.WriteByteString(new TokenAmount(VerifiedPrice).ToBytes());
        w.WriteTextString("MinPieceSize");
        w.WriteUInt64((ulong)MinPieceSize);
        w.WriteTextString("MaxPieceSize");
        w.WriteUInt64((ulong)MaxPieceSize);
        w.WriteTextString("Miner");
        w.WriteByteString(Address.Parse(Miner).ToBytes());
        w.WriteTextString("Timestamp");
        w.WriteInt64(Timestamp);
        w.WriteTextString("Expiry");
        w.WriteInt64(Expiry);
        w.WriteTextString("SeqNo");
        w.WriteUInt64(SeqNo);
        w.WriteEndMap();
        return w.Encode();
    }

    /// <summary>The lowest price per epoch a piece of <paramref name="pieceSize"/> padded bytes may pay (Boost's <c>validateAsk</c>).</summary>
    public BigInteger MinPricePerEpoch(long pieceSize, bool verified) => (verified ? VerifiedPrice : Price) * pieceSize / (1L << 30);
}
