namespace Granary.Grains.Sectors;

/// <summary>
/// Where a piece's unpadded bytes (the CAR as received, CommP already verified) are: the silo name holding the file, its
/// absolute path there, and its length in bytes.
/// </summary>
/// <param name="Silo">The name of the silo holding the file.</param>
/// <param name="Path">The file's absolute path on that silo.</param>
/// <param name="Length">The file's length in bytes.</param>
[GenerateSerializer, Immutable, Alias("granary.DealPieceSource")]
public sealed record DealPieceSource(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Path,
    [property: Id(2)] long Length);
