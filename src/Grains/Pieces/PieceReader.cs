using Granary.Filecoin.Pieces;

namespace Granary.Grains.Pieces;

/// <summary>
/// Opens a piece's bytes from the best copy this silo can read: the staged payload file if it is on this machine
/// (no unpadding needed), else each sector the piece was placed in, through <see cref="IUnsealedSectorLocator"/>.
/// </summary>
public sealed class PieceReader(IUnsealedSectorLocator sectors)
{
    /// <summary>Opens the unpadded piece (payload then zeros, <c>Unpadded(PieceSize)</c> bytes).</summary>
    /// <exception cref="PieceUnavailableException">No copy can be read; the message lists why for each.</exception>
    public async Task<PieceContent> OpenAsync(PieceRecord piece, CancellationToken cancellationToken = default)
    {
        if (piece.PieceSize == 0)
        {
            throw new PieceUnavailableException($"piece {piece.PieceCid} has no recorded size yet");
        }

        var length = PaddedPieceSize.Unpadded(piece.PieceSize);
        var reasons = new List<string>();
        if (piece.Staging is { } staging)
        {
            if (File.Exists(staging.Path))
            {
                try
                {
                    return new PieceContent(new ZeroFilledPieceStream(staging.Path, piece.PayloadSize, length), staging.Path);
                }
                catch (IOException e)
                {
                    reasons.Add(e.Message);
                }
            }
            else
            {
                reasons.Add($"the staged file is on silo {staging.Silo}, not here");
            }
        }

        foreach (var location in piece.Sectors)
        {
            var (source, reason) = await sectors.OpenAsync(location, cancellationToken);
            if (source is null)
            {
                reasons.Add(reason);
                continue;
            }

            return new PieceContent(new UnsealedPieceStream(source, location.Offset, location.Length), source.Description);
        }

        if (reasons.Count == 0)
        {
            reasons.Add("it is neither staged nor placed in a sector yet");
        }

        throw new PieceUnavailableException($"piece {piece.PieceCid} cannot be read: {string.Join("; ", reasons)}");
    }

    /// <summary>Opens only the payload (for indexing): the first <see cref="PieceRecord.PayloadSize"/> bytes.</summary>
    /// <exception cref="PieceUnavailableException">No copy can be read.</exception>
    public async Task<PieceContent> OpenPayloadAsync(PieceRecord piece, CancellationToken cancellationToken = default)
    {
        var content = await OpenAsync(piece, cancellationToken);
        return content with { Stream = new LengthLimitedStream(content.Stream, piece.PayloadSize, ownsInner: true) };
    }
}
