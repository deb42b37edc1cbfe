namespace Granary.Grains.Pieces;

/// <summary>
/// A known piece that has no readable copy right now (not staged here, no unsealed sector copy reachable);
/// <see cref="PieceUnsealingException"/> when its sector is being unsealed.
/// </summary>
[GenerateSerializer, Alias("granary.PieceUnavailableException")]
public class PieceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PieceUnavailableException(string message) : base(message)
    {
    }
}
