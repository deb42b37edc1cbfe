namespace Granary.Grains.Deals;

/// <summary>
/// This markets silo's staging area as the deal grains see it: deleting a deal's staged data once its sector's unsealed
/// copy holds it. Implemented by the gateway's staging area; a silo without one keeps staged files.
/// </summary>
public interface IDealStagingFiles
{
    /// <summary>
    /// Deletes <paramref name="path"/> if it is the staged data of <paramref name="deal"/> in this silo's staging area (never
    /// any other file, such as an imported offline file); true if it was (and is now gone).
    /// </summary>
    bool TryDelete(Guid deal, string path);
}
