using Granary.Grains.Storage;
using Granary.Proofs;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sectors;

/// <inheritdoc cref="ISectorNumberGrain" />
/// <remarks>
/// Not reentrant: allocations are serialized, so concurrent pledges get consecutive numbers. Numbers are never handed
/// out twice because <see cref="SectorNumberState.Next"/> is persisted before the number is used; a number whose start
/// failed stays in <see cref="SectorNumberState.Starting"/> and is started again by the next call (or activation).
/// </remarks>
public sealed partial class SectorNumberGrain(
    [PersistentState("sector-numbers", GrainStorage.Name)] IPersistentState<SectorNumberState> state,
    ILogger<SectorNumberGrain> logger) : Grain, ISectorNumberGrain
{
    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartPendingAsync();
        }
        catch (Exception e)
        {
            // Retried by the next call; the activation itself must not fail for it.
            LogStartFailed(logger, e, this.GetPrimaryKeyLong(), state.State.Starting.Count);
        }
    }

    /// <inheritdoc />
    public async Task<ulong> Pledge(int sealProof)
    {
        _ = SealProofType.FromId(sealProof);
        await StartPendingAsync();
        var number = state.State.Next;
        state.State.Next = number + 1;
        state.State.Starting[number] = sealProof;
        await state.WriteStateAsync();
        LogAllocated(logger, this.GetPrimaryKeyLong(), number);
        await StartPendingAsync();
        return number;
    }

    /// <inheritdoc />
    public async Task<ulong> OpenDealSector(int sealProof, Guid request)
    {
        _ = SealProofType.FromId(sealProof);
        await StartPendingAsync();
        if (state.State.Opened.TryGetValue(request, out var opened))
        {
            return opened;
        }

        var number = state.State.Next;
        state.State.Next = number + 1;
        state.State.Starting[number] = sealProof;
        state.State.DealSectors.Add(number);
        state.State.Opened[request] = number;
        await state.WriteStateAsync();
        LogAllocated(logger, this.GetPrimaryKeyLong(), number);
        await StartPendingAsync();
        return number;
    }

    /// <inheritdoc />
    public Task<ulong[]> Numbers()
    {
        var numbers = new ulong[state.State.Next];
        for (var i = 0UL; i < state.State.Next; i++)
        {
            numbers[i] = i;
        }

        return Task.FromResult(numbers);
    }

    private async Task StartPendingAsync()
    {
        if (state.State.Starting.Count == 0)
        {
            return;
        }

        var miner = (ulong)this.GetPrimaryKeyLong();
        foreach (var (number, proof) in state.State.Starting.OrderBy(s => s.Key).ToList())
        {
            var sector = GrainFactory.GetGrain<ISectorGrain>(new SectorId(miner, number).Name);
            if (state.State.DealSectors.Contains(number))
            {
                await sector.StartDeals(proof);
            }
            else
            {
                await sector.Start(proof);
            }

            state.State.Starting.Remove(number);
            state.State.DealSectors.Remove(number);
        }

        await state.WriteStateAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "miner t0{Miner}: allocated sector number {Number}")]
    private static partial void LogAllocated(ILogger logger, long miner, ulong number);

    [LoggerMessage(Level = LogLevel.Warning, Message = "miner t0{Miner}: starting {Count} allocated sectors failed; the next call retries")]
    private static partial void LogStartFailed(ILogger logger, Exception error, long miner, int count);
}
