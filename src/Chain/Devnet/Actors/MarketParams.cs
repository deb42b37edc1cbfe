using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Actors;

/// <summary>Market <c>AddBalance</c> (method 2): the address whose escrow the message's value goes to (a bare address, not a tuple).</summary>
public static class MarketAddBalanceParams
{
    /// <summary>The CBOR bytes.</summary>
    public static byte[] ToCbor(Address address) => Cbor.Encode(w => w.Address(address));

    /// <summary>Reads the CBOR bytes.</summary>
    public static Address FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "AddBalance params", r => r.Address("address"));
}

/// <summary>Market <c>WithdrawBalance</c> (method 3): [ProviderOrClientAddress, Amount]; returns the amount withdrawn.</summary>
public sealed record MarketWithdrawBalanceParams(Address ProviderOrClientAddress, TokenAmount Amount)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(2);
        w.Address(ProviderOrClientAddress);
        w.Amount(Amount);
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static MarketWithdrawBalanceParams FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "WithdrawBalanceParams", r =>
    {
        r.Tuple(2, "WithdrawBalanceParams");
        var p = new MarketWithdrawBalanceParams(r.Address("ProviderOrClientAddress"), r.Amount("Amount"));
        r.End();
        return p;
    });
}

/// <summary>Market <c>PublishStorageDeals</c> (method 4): [[ClientDealProposal...]].</summary>
public sealed record PublishStorageDealsParams(IReadOnlyList<ClientDealProposal> Deals)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(1);
        w.Array(Deals, (w, d) => w.WriteEncodedValue(d.ToCbor()));
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static PublishStorageDealsParams FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "PublishStorageDealsParams", r =>
    {
        r.Tuple(1, "PublishStorageDealsParams");
        var deals = r.Array("Deals", r => ClientDealProposal.FromCbor(Filecoin.Cbor.DagCbor.Guard(() => r.ReadEncodedValue())), 512);
        r.End();
        return new PublishStorageDealsParams(deals);
    });
}

/// <summary><c>PublishStorageDeals</c>'s return: [IDs, ValidDeals] — the new deal ids and which proposals (by index) they are.</summary>
public sealed record PublishStorageDealsReturn(IReadOnlyList<ulong> Ids, BitField ValidDeals)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(2);
        w.Array(Ids, (w, id) => w.WriteUInt64(id));
        w.BitField(ValidDeals);
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static PublishStorageDealsReturn FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "PublishStorageDealsReturn", r =>
    {
        r.Tuple(2, "PublishStorageDealsReturn");
        var p = new PublishStorageDealsReturn(r.Array("IDs", r => r.UInt()), r.BitField("ValidDeals"));
        r.End();
        return p;
    });
}

/// <summary>A token amount as a method's return value (a CBOR byte string).</summary>
public static class AmountReturn
{
    /// <summary>The CBOR bytes.</summary>
    public static byte[] ToCbor(TokenAmount amount) => Cbor.Encode(w => w.Amount(amount));

    /// <summary>Reads the CBOR bytes.</summary>
    public static TokenAmount FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "token amount", r => r.Amount("amount"));
}
