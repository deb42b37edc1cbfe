namespace Granary.Grains.Sealing;

/// <summary>The answer of <see cref="IUnsealGrain.Unseal"/>.</summary>
/// <param name="State">Running, done or failed.</param>
/// <param name="Message">What happened, for the retrieval's error text and the log (on success, where the copy went).</param>
/// <param name="Started">When the unseal being reported started.</param>
/// <param name="NoSealedCopy">True when it failed because the cluster has no sealed replica of the sector to unseal.</param>
[GenerateSerializer, Immutable, Alias("granary.UnsealStatus")]
public sealed record UnsealStatus(
    [property: Id(0)] UnsealState State,
    [property: Id(1)] string Message,
    [property: Id(2)] DateTimeOffset Started,
    [property: Id(3)] bool NoSealedCopy = false);
