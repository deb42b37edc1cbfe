namespace Granary.Grains.Sectors;

/// <summary>
/// A deal's piece could not be placed in a sector: it is larger than the miner's sector size, its size is not a padded
/// piece size, or no sealing silo or storage can take it. The message says which.
/// </summary>
[GenerateSerializer, Alias("granary.SectorPlanningException")]
public class SectorPlanningException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SectorPlanningException(string message) : base(message)
    {
    }
}
