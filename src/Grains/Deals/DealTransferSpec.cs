namespace Granary.Grains.Deals;

/// <summary>How the data of a deal is to be fetched: Boost's <c>Transfer</c> as the client sent it.</summary>
/// <param name="Type"><c>http</c> (the one Granary pulls), <c>libp2p</c>, or empty for an offline deal.</param>
/// <param name="ClientId">The client's own id for the transfer, optional.</param>
/// <param name="Params">The transport's parameters; for <c>http</c> the JSON of <see cref="HttpTransferRequest"/>.</param>
/// <param name="Size">Bytes to transfer (the CAR file's size).</param>
[GenerateSerializer, Immutable, Alias("granary.DealTransferSpec")]
public sealed record DealTransferSpec(
    [property: Id(0)] string Type,
    [property: Id(1)] string ClientId,
    [property: Id(2)] byte[] Params,
    [property: Id(3)] ulong Size)
{
    /// <summary>The transfer type Granary pulls itself.</summary>
    public const string Http = "http";

    /// <inheritdoc />
    public bool Equals(DealTransferSpec? other) => other is not null && Type == other.Type && ClientId == other.ClientId
        && Size == other.Size && Params.AsSpan().SequenceEqual(other.Params);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, ClientId, Size, Params.Length);
}
