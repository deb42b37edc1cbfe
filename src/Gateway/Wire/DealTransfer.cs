using System.Formats.Cbor;

namespace Granary.Gateway.Wire;

/// <summary>
/// Boost's <c>types.Transfer</c>: how the provider gets the data (map-encoded; wire key order Size, Type, Params,
/// ClientID). The zero value for offline deals.
/// </summary>
/// <param name="Type"><c>http</c> or <c>libp2p</c> (Boost); empty for an offline deal.</param>
/// <param name="ClientId">An id the client chose, optional.</param>
/// <param name="Params">Transport parameters; for <c>http</c> the JSON of <see cref="Granary.Grains.Deals.HttpTransferRequest"/>.</param>
/// <param name="Size">Bytes to be transferred.</param>
public sealed record DealTransfer(string Type, string ClientId, byte[] Params, ulong Size)
{
    /// <summary>The zero value.</summary>
    public static DealTransfer None { get; } = new("", "", [], 0);

    /// <inheritdoc />
    public bool Equals(DealTransfer? other) => other is not null && Type == other.Type && ClientId == other.ClientId && Size == other.Size
        && Params.AsSpan().SequenceEqual(other.Params);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, ClientId, Size, Params.Length);

    internal void Write(CborWriter w)
    {
        w.WriteStartMap(4);
        w.WriteTextString("Type");
        w.WriteTextString(Type);
        w.WriteTextString("ClientID");
        w.WriteTextString(ClientId);
        w.WriteTextString("Params");
        w.WriteByteString(Params);
        w.WriteTextString("Size");
        w.WriteUInt64(Size);
        w.WriteEndMap();
    }

    internal static DealTransfer Read(CborReader r)
    {
        var map = WireMap.Read(r, "Transfer");
        return new DealTransfer(
            map.Optional("Type", "", x => x.ReadText()),
            map.Optional("ClientID", "", x => x.ReadText()),
            map.Optional("Params", [], x => x.ReadBytes()),
            map.Optional("Size", 0UL, x => x.ReadUInt()));
    }
}
