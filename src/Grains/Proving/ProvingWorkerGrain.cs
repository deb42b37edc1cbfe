using Granary.Grains.Placement;
using Granary.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Granary.Grains.Proving;

/// <inheritdoc cref="IProvingWorkerGrain" />
/// <remarks>Reentrant: checks and proofs of several deadlines run side by side, each on <see cref="ProvingThreads"/>.</remarks>
[RequiresSubsystem(Subsystem.Mining)]
[ProvingWorkerPlacement]
[Reentrant]
public sealed class ProvingWorkerGrain(ProvingThreads threads, IOptions<ProvingOptions> options, IServiceProvider services, ILocalSiloDetails silo)
    : Grain, IProvingWorkerGrain
{
    private readonly SectorProver _prover = new(new LocalSectorFiles(services.GetService<LocalStorage>(), silo.Name), threads, options.Value, silo.Name);

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Placement puts the grain on the silo its key names; anywhere else it would read the wrong disks.
        var key = this.GetPrimaryKeyString();
        if (key != silo.SiloAddress.ToParsableString())
        {
            throw new ProvingWorkerUnavailableException(key, $"activated on {silo.SiloAddress.ToParsableString()} instead");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<SectorCheck[]> Check(ulong miner, ProvingSector[] sectors) => _prover.CheckAsync(miner, sectors);

    /// <inheritdoc />
    public Task<WindowProof> ProveWindow(WindowProofRequest request) => _prover.ProveWindowAsync(request);

    /// <inheritdoc />
    public Task<WinningProof> ProveWinning(WinningProofRequest request) => _prover.ProveWinningAsync(request);
}
