namespace Granary.Grains.Deals;

/// <summary>A storage ask with the worker's signature over its CBOR (go-fil-markets' <c>SignedStorageAsk</c>).</summary>
/// <param name="Ask">The ask.</param>
/// <param name="Signature">The signature's bytes: the type byte (1 = secp256k1) then the data.</param>
/// <param name="Worker">The worker key address that signed.</param>
[GenerateSerializer, Immutable, Alias("granary.SignedAsk")]
public sealed record SignedAsk(
    [property: Id(0)] StorageAsk Ask,
    [property: Id(1)] byte[] Signature,
    [property: Id(2)] string Worker);
