namespace Granary.Grains.Pieces;

/// <summary>
/// An open piece: a seekable stream of the unpadded piece (<c>Unpadded(PieceSize)</c> bytes: the payload, then zeros)
/// and where it is read from.
/// </summary>
/// <param name="Stream">The piece bytes.</param>
/// <param name="Source">A staging file path or an unsealed sector file / URL.</param>
public sealed record PieceContent(Stream Stream, string Source) : IAsyncDisposable
{
    /// <inheritdoc />
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
