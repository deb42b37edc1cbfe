namespace Granary.Grains.Deals;

/// <summary>The directory's answer to an admission: admitted (its reservation made, listed on <paramref name="Page"/>), or why not.</summary>
/// <param name="Admitted">Whether it fits.</param>
/// <param name="Reason">Why not; empty when admitted.</param>
/// <param name="Page">The listing page it is on (the deal passes it back with each update).</param>
[GenerateSerializer, Immutable, Alias("granary.DealAdmission")]
public sealed record DealAdmission(
    [property: Id(0)] bool Admitted,
    [property: Id(1)] string Reason,
    [property: Id(2)] int Page);
