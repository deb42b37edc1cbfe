namespace Granary.Grains.Sealing.Workers;

/// <summary>
/// The silo that holds a sector's scratch files, as a sector grain records it after a stage ran there
/// (<see cref="ScratchSiloWatch.Here"/>). It names the silo's endpoint, not its incarnation: a silo restarted on
/// the same machine and port has the same repo and so the same scratch files.
/// </summary>
/// <param name="Silo">The silo's name when the files were made (for messages).</param>
/// <param name="Endpoint">The silo's <c>IP:port</c>.</param>
[GenerateSerializer, Immutable, Alias("granary.ScratchHolder")]
public sealed record ScratchHolder(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Endpoint);
