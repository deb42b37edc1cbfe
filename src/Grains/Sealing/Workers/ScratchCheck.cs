namespace Granary.Grains.Sealing.Workers;

/// <summary>The answer of <see cref="ScratchSiloWatch.Check"/>.</summary>
/// <param name="State">Here, alive elsewhere, gone (wait) or lost (restart the sector).</param>
/// <param name="GoneSince">Since when the holder is known to be gone (persist it and pass it back to the next check); null unless gone or lost.</param>
/// <param name="Silo">The active silo holding the files, when <see cref="ScratchState.Here"/> or <see cref="ScratchState.Alive"/>.</param>
[GenerateSerializer, Immutable, Alias("granary.ScratchCheck")]
public sealed record ScratchCheck(
    [property: Id(0)] ScratchState State,
    [property: Id(1)] DateTimeOffset? GoneSince,
    [property: Id(2)] SiloAddress? Silo);
