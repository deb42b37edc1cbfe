namespace Granary.Grains.Pieces;

/// <summary>What indexing a piece's payload found.</summary>
/// <param name="State">Where indexing is.</param>
/// <param name="Blocks">Blocks recorded.</param>
/// <param name="Roots">The CAR's root CIDs.</param>
/// <param name="CarVersion">1 or 2; 0 before indexing.</param>
/// <param name="Error">Why it failed, when <see cref="PieceIndexState.Failed"/>.</param>
/// <param name="At">When the state last changed.</param>
[GenerateSerializer, Immutable, Alias("granary.PieceIndexSummary")]
public sealed record PieceIndexSummary(
    [property: Id(0)] PieceIndexState State,
    [property: Id(1)] long Blocks,
    [property: Id(2)] string[] Roots,
    [property: Id(3)] int CarVersion,
    [property: Id(4)] string Error,
    [property: Id(5)] DateTimeOffset At)
{
    /// <summary>Not indexed yet: a new instance each time, because grain state is read by populating the objects already in
    /// a new state (Newtonsoft reuses them), so a shared default instance would be overwritten by the first state read.</summary>
    public static PieceIndexSummary None => new(PieceIndexState.None, 0, [], 0, "", DateTimeOffset.MinValue);
}
