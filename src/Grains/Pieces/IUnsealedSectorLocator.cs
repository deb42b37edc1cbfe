namespace Granary.Grains.Pieces;

/// <summary>Finds a readable unsealed copy of the sector a piece was placed in.</summary>
public interface IUnsealedSectorLocator
{
    /// <summary>A reader over the sector's unsealed file, or null with the reason when no copy is reachable.</summary>
    Task<(IPaddedSource? Source, string Reason)> OpenAsync(PieceSectorLocation location, CancellationToken cancellationToken);
}
