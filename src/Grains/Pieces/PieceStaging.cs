namespace Granary.Grains.Pieces;

/// <summary>
/// A staged copy of a piece's payload (a completed transfer or an imported offline file), readable by the silo
/// whose machine holds the file until the piece is sealed and the staging file removed.
/// </summary>
/// <param name="Silo">The silo that staged it (for messages; readers check the file itself).</param>
/// <param name="Path">The absolute path of the payload file.</param>
[GenerateSerializer, Immutable, Alias("granary.PieceStaging")]
public sealed record PieceStaging(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Path);
