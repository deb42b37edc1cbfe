namespace Granary.Grains.Proving;

/// <summary>A new chain head, as the head service forwards it to the proving scheduler.</summary>
/// <param name="Height">The head's epoch.</param>
/// <param name="BlockMiners">The miners of its blocks (the winners of the epoch), as addresses.</param>
[GenerateSerializer, Immutable, Alias("granary.HeadNotice")]
public sealed record HeadNotice(
    [property: Id(0)] long Height,
    [property: Id(1)] string[] BlockMiners);
