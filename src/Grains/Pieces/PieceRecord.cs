namespace Granary.Grains.Pieces;

/// <summary>What the piece directory knows of one piece.</summary>
/// <param name="PieceCid">The v1 piece CID.</param>
/// <param name="PieceSize">The padded piece size.</param>
/// <param name="PayloadSize">The payload (CAR) bytes at the start of the piece; the rest of the unpadded piece is zeros.</param>
/// <param name="Deals">The deals of the piece.</param>
/// <param name="Sectors">Where the piece was placed in sectors.</param>
/// <param name="Staging">A staged payload file, until the piece is sealed.</param>
/// <param name="Index">The payload index.</param>
[GenerateSerializer, Immutable, Alias("granary.PieceRecord")]
public sealed record PieceRecord(
    [property: Id(0)] string PieceCid,
    [property: Id(1)] long PieceSize,
    [property: Id(2)] long PayloadSize,
    [property: Id(3)] PieceDeal[] Deals,
    [property: Id(4)] PieceSectorLocation[] Sectors,
    [property: Id(5)] PieceStaging? Staging,
    [property: Id(6)] PieceIndexSummary Index);
