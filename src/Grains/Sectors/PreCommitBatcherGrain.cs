using System.Numerics;
using Granary.Chain;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Model;
using Granary.Filecoin.Cids;
using Granary.Grains.Miner;
using Granary.Grains.Placement;
using Granary.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sectors;

/// <inheritdoc cref="IPreCommitBatcherGrain" />
/// <remarks>Sends PreCommitSectorBatch2 (method 28; CommD given for sectors with deals, none for committed capacity) with
/// <see cref="SectorPipelineOptions.PreCommitDeposit"/> per sector as value. The chain takes such a batch whole or not at
/// all, so one refusal fails every sector in it; each then retries on its own after its back-off.</remarks>
[RequiresSubsystem(Subsystem.Sealing)]
public sealed class PreCommitBatcherGrain(
    [PersistentState("precommit-batch", GrainStorage.Name)] IPersistentState<SectorBatchState<PreCommitEntry>> state,
    IChainNode chain,
    SectorPipelineOptions options,
    ILogger<PreCommitBatcherGrain> logger)
    : SectorBatcherGrain<PreCommitEntry>(state, chain, options, logger), IPreCommitBatcherGrain
{
    /// <inheritdoc />
    protected override string What => "pre-commit";

    /// <inheritdoc />
    protected override int BatchSize => Math.Clamp(Options.PreCommitBatchSize, 1, Options.Policy.PreCommitSectorBatchMaxSize);

    /// <inheritdoc />
    protected override TimeSpan BatchWait => Options.PreCommitBatchWait;

    /// <inheritdoc />
    public Task Add(PreCommitEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return AddEntry(entry);
    }

    /// <inheritdoc />
    public Task<BatchEntryState> Find(ulong number) => FindEntry(number);

    /// <inheritdoc />
    public Task<int> Flush() => FlushAll();

    /// <inheritdoc />
    protected override ulong NumberOf(PreCommitEntry entry) => entry.Number;

    /// <inheritdoc />
    protected override DateTimeOffset AddedOf(PreCommitEntry entry) => entry.Added;

    /// <inheritdoc />
    protected override async Task<bool> OnChainAsync(PreCommitEntry entry) =>
        await Chain.StateSectorPreCommitInfo(Miner, entry.Number, null) is not null
        || await Chain.StateSectorGetInfo(Miner, entry.Number, null) is not null;

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<BatchOutcome>> SendAsync(IMinerGrain miner, IReadOnlyList<PreCommitEntry> batch)
    {
        var infos = batch.Select(e => new SectorPreCommitInfo(e.SealProof, e.Number, Cid.Parse(e.SealedCid), e.SealRandEpoch, e.DealIds,
            e.Expiration, e.UnsealedCid is null ? null : Cid.Parse(e.UnsealedCid))).ToList();
        var value = Options.PreCommitDeposit.AttoFil * new BigInteger(batch.Count);
        var receipt = await miner.Send(ActorMethods.Miner.PreCommitSectorBatch2, new PreCommitSectorBatchParams(infos).ToCbor2(), value);
        var landed = new BatchOutcome(true, receipt.Message, receipt.Height, "");
        return [.. batch.Select(_ => landed)];
    }

    /// <inheritdoc />
    protected override Task NotifyAsync(ulong number, BatchOutcome outcome) =>
        GrainFactory.GetGrain<ISectorGrain>(new SectorId(MinerId, number).Name).PreCommitLanded(outcome);
}
