namespace Granary.Grains.Proving;

/// <summary>
/// Whether one sector could be proven now: its sealed replica and cache were found (locally or fetched), had
/// the right sizes, matched the sector's CommR, and a few randomly challenged nodes read back and verified,
/// all within the time budget. A sector that is not <see cref="Ok"/> says why.
/// </summary>
/// <param name="Sector">The sector number.</param>
/// <param name="Ok">Readable and provable.</param>
/// <param name="Reason">Why not (null when <see cref="Ok"/>).</param>
/// <param name="Silo">The silo that checked it.</param>
/// <param name="Seconds">How long the check took.</param>
[GenerateSerializer, Immutable, Alias("granary.SectorCheck")]
public sealed record SectorCheck(
    [property: Id(0)] ulong Sector,
    [property: Id(1)] bool Ok,
    [property: Id(2)] string? Reason,
    [property: Id(3)] string Silo,
    [property: Id(4)] double Seconds);
