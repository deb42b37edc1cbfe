namespace Granary.Grains.Pieces;

/// <summary>Entry points to the piece directory.</summary>
public static class PieceDirectory
{
    /// <summary>The directory grain of a piece named by a v1 or v2 piece CID.</summary>
    /// <exception cref="Filecoin.FilecoinFormatException">Not a piece CID.</exception>
    public static IPieceDirectoryGrain GetPiece(this IGrainFactory grains, string pieceCid) =>
        grains.GetGrain<IPieceDirectoryGrain>(PieceKey.Parse(pieceCid).Key);

    /// <summary>The directory grain of a piece.</summary>
    public static IPieceDirectoryGrain GetPiece(this IGrainFactory grains, PieceKey piece) =>
        grains.GetGrain<IPieceDirectoryGrain>(piece.Key);
}
