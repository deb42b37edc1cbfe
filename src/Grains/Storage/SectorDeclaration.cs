namespace Granary.Grains.Storage;

/// <summary>
/// One sector file on a storage path, as declared to the sector index (lotus's <c>Decl</c>). A primary copy
/// is one in long-term storage; copies in sealing scratch or fetched for proving are not primary.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.SectorDeclaration")]
public sealed record SectorDeclaration(
    [property: Id(0)] SectorId Sector,
    [property: Id(1)] SectorFileType FileType,
    [property: Id(2)] bool Primary);
