namespace Granary.Grains.Pieces;

/// <summary>A known piece that has no readable copy right now (not staged here, no unsealed sector copy reachable).</summary>
[GenerateSerializer, Alias("granary.PieceUnavailableException")]
public sealed class PieceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PieceUnavailableException(string message) : base(message)
    {
    }
}
