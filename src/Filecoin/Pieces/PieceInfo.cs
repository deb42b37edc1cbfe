namespace Granary.Filecoin.Pieces;

/// <summary>A piece in a sector: its padded size and 32-byte commitment (CommP).</summary>
public sealed record PieceInfo(long PaddedSize, byte[] Commitment);
