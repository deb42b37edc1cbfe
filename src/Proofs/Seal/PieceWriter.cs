using Granary.Filecoin.Pieces;

namespace Granary.Proofs.Seal;

/// <summary>A piece written into an unsealed sector: its info, where it starts (padded bytes) and its payload size.</summary>
public sealed record AddedPiece(PieceInfo Piece, long Offset, long PayloadSize);

/// <summary>
/// AddPiece and ReadPiece on the unsealed sector file. Pieces go in order, each Fr32-padded and aligned to
/// a multiple of its size by zero pieces, as lotus lays them out; the file is the full sector size with
/// zeros wherever no piece is, so the CommD of the file equals the CommD computed from the piece infos.
/// Writing a piece again at the same place (after a crash) writes the same bytes.
/// </summary>
public static class PieceWriter
{
    /// <summary>Where the next piece of <paramref name="pieceSize"/> goes after <paramref name="existing"/>.</summary>
    /// <exception cref="InvalidOperationException">It does not fit in the sector.</exception>
    public static long NextOffset(SealProofType type, IEnumerable<PieceInfo> existing, long pieceSize)
    {
        long offset = 0;
        foreach (var piece in existing.Append(new PieceInfo(pieceSize, new byte[32])))
        {
            offset += SectorCommD.AlignmentPadding(offset, piece.PaddedSize).Sum();
            if (piece.PaddedSize == pieceSize && offset + pieceSize > type.SectorSize)
            {
                throw new InvalidOperationException($"a {pieceSize}-byte piece does not fit in this {type.Name} sector after {offset} bytes of pieces");
            }

            offset += piece.PaddedSize;
        }

        return offset - pieceSize;
    }

    /// <summary>Writes <paramref name="payload"/> as a piece of <paramref name="pieceSize"/> padded bytes after <paramref name="existing"/>.</summary>
    /// <exception cref="InvalidDataException">The payload is larger than the piece holds.</exception>
    public static async Task<AddedPiece> AddPieceAsync(SealProofType type, string unsealedPath, IReadOnlyList<PieceInfo> existing,
        Stream payload, long pieceSize, CancellationToken cancellationToken = default)
    {
        if (!PaddedPieceSize.IsValid(pieceSize) || pieceSize > type.SectorSize)
        {
            throw new ArgumentException($"{pieceSize} is not a piece size for a {type.Name} sector");
        }

        var offset = NextOffset(type, existing, pieceSize);
        return await WritePieceAsync(type, unsealedPath, offset, payload, pieceSize, cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="payload"/> Fr32-padded as a piece of <paramref name="pieceSize"/> padded bytes at
    /// <paramref name="offset"/> (a multiple of the piece size) in the unsealed file, which is made the full sector size
    /// (sparse zeros) first. Writing the same payload at the same offset again writes the same bytes.
    /// </summary>
    /// <exception cref="ArgumentException">Not a piece size, or an offset that is not aligned or leaves no room.</exception>
    /// <exception cref="InvalidDataException">The payload is larger than the piece holds.</exception>
    public static async Task<AddedPiece> WritePieceAsync(SealProofType type, string unsealedPath, long offset, Stream payload, long pieceSize,
        CancellationToken cancellationToken = default)
    {
        if (!PaddedPieceSize.IsValid(pieceSize) || pieceSize > type.SectorSize)
        {
            throw new ArgumentException($"{pieceSize} is not a piece size for a {type.Name} sector");
        }

        if (offset < 0 || offset % pieceSize != 0 || offset + pieceSize > type.SectorSize)
        {
            throw new ArgumentException($"offset {offset} is not a place for a {pieceSize}-byte piece in a {type.Name} sector");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(unsealedPath))!);
        using var file = File.OpenHandle(unsealedPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (RandomAccess.GetLength(file) < type.SectorSize)
        {
            RandomAccess.SetLength(file, type.SectorSize); // sparse zeros: the zero pieces around real ones
        }

        var written = 0L;
        var result = await CommP.ComputeAsync(payload, cancellationToken: cancellationToken, padded: async chunk =>
        {
            if (written + chunk.Length > pieceSize)
            {
                throw new InvalidDataException($"payload is larger than a {pieceSize}-byte piece holds ({PaddedPieceSize.Unpadded(pieceSize)} bytes)");
            }

            await RandomAccess.WriteAsync(file, chunk, offset + written, cancellationToken);
            written += chunk.Length;
        });
        if (result.PaddedSize > pieceSize)
        {
            throw new InvalidDataException($"payload of {result.PayloadSize} bytes is larger than a {pieceSize}-byte piece holds");
        }

        RandomAccess.FlushToDisk(file);
        var commitment = CommP.ZeroPad(result.Commitment, result.PaddedSize, pieceSize);
        return new AddedPiece(new PieceInfo(pieceSize, commitment), offset, result.PayloadSize);
    }

    /// <summary>Reads the payload of a piece back (Fr32-unpadded) from an unsealed sector file.</summary>
    public static byte[] ReadPiece(string unsealedPath, long offset, long pieceSize, long payloadSize)
    {
        if (payloadSize > PaddedPieceSize.Unpadded(pieceSize))
        {
            throw new ArgumentException("payload size is larger than the piece holds");
        }

        using var file = File.OpenHandle(unsealedPath);
        var padded = new byte[pieceSize];
        if (RandomAccess.Read(file, padded, offset) != padded.Length)
        {
            throw new IOException($"{unsealedPath} ends before the piece at {offset} does");
        }

        var unpadded = new byte[PaddedPieceSize.Unpadded(pieceSize)];
        Fr32.Unpad(padded, unpadded);
        return unpadded[..(int)payloadSize];
    }
}
