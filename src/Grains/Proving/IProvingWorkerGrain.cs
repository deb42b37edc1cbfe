namespace Granary.Grains.Proving;

/// <summary>
/// One mining silo's proving worker, as the rest of the cluster sees it. The key is the silo's address
/// (<c>SiloAddress.ToParsableString()</c>) and <see cref="ProvingWorkerPlacementAttribute"/> activates the grain on
/// exactly that silo, so the deadline grains send each partition's work to the silo that holds its sectors' files.
/// </summary>
[Alias("granary.IProvingWorkerGrain")]
public interface IProvingWorkerGrain : IGrainWithStringKey
{
    /// <summary>Checks that the sectors of miner <paramref name="miner"/> (actor id) can be proven now, each within its budget.</summary>
    [Alias("Check")]
    [ResponseTimeout("00:30:00")]
    Task<SectorCheck[]> Check(ulong miner, ProvingSector[] sectors);

    /// <summary>Checks and proves sectors for a WindowPoSt.</summary>
    [Alias("ProveWindow")]
    [ResponseTimeout("00:30:00")]
    Task<WindowProof> ProveWindow(WindowProofRequest request);

    /// <summary>Computes and verifies a WinningPoSt.</summary>
    [Alias("ProveWinning")]
    [ResponseTimeout("00:10:00")]
    Task<WinningProof> ProveWinning(WinningProofRequest request);
}
