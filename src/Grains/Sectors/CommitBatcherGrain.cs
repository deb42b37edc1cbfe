using System.Numerics;
using Granary.Chain;
using Granary.Chain.Devnet.Actors;
using Granary.Filecoin.Cids;
using Granary.Grains.Miner;
using Granary.Grains.Placement;
using Granary.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sectors;

/// <inheritdoc cref="ICommitBatcherGrain" />
/// <remarks>Sends ProveCommitSectors3 (method 34: one proof per sector, no aggregation) with
/// <c>RequireActivationSuccess = false</c>, so one bad proof fails only its sector: the <c>BatchReturn</c> names the
/// failed indices with their exit codes. A message that fails as a whole (every sector refused) fails them all.</remarks>
[RequiresSubsystem(Subsystem.Sealing)]
public sealed class CommitBatcherGrain(
    [PersistentState("commit-batch", GrainStorage.Name)] IPersistentState<SectorBatchState<CommitEntry>> state,
    IChainNode chain,
    SectorPipelineOptions options,
    ILogger<CommitBatcherGrain> logger)
    : SectorBatcherGrain<CommitEntry>(state, chain, options, logger), ICommitBatcherGrain
{
    // CBOR framing per sector beyond its proof bytes (activation manifest, lengths), generously.
    private const int EntryOverhead = 64;

    /// <inheritdoc />
    protected override string What => "commit";

    /// <inheritdoc />
    protected override int BatchSize => Math.Clamp(Options.CommitBatchSize, 1, Options.Policy.PreCommitSectorBatchMaxSize);

    /// <inheritdoc />
    protected override TimeSpan BatchWait => Options.CommitBatchWait;

    /// <inheritdoc />
    public Task Add(CommitEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return AddEntry(entry);
    }

    /// <inheritdoc />
    public Task<BatchEntryState> Find(ulong number) => FindEntry(number);

    /// <inheritdoc />
    public Task<int> Flush() => FlushAll();

    /// <inheritdoc />
    protected override ulong NumberOf(CommitEntry entry) => entry.Number;

    /// <inheritdoc />
    protected override DateTimeOffset AddedOf(CommitEntry entry) => entry.Added;

    /// <inheritdoc />
    protected override int Fit(IReadOnlyList<CommitEntry> queued)
    {
        var bytes = 0;
        var count = 0;
        foreach (var entry in queued.Take(BatchSize))
        {
            bytes += entry.Proof.Length + EntryOverhead + (entry.Pieces.Length * 64);
            if (count > 0 && bytes > Options.MaxCommitParamsBytes)
            {
                break;
            }

            count++;
        }

        return count;
    }

    /// <inheritdoc />
    protected override async Task<bool> OnChainAsync(CommitEntry entry) => await Chain.StateSectorGetInfo(Miner, entry.Number, null) is not null;

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<BatchOutcome>> SendAsync(IMinerGrain miner, IReadOnlyList<CommitEntry> batch)
    {
        var activations = batch.Select(e => new SectorActivationManifest(e.Number,
            [.. e.Pieces.Where(p => p.Deal).Select(p => new PieceActivationManifest(Cid.Parse(p.PieceCid), p.Size))])).ToList();
        var parameters = new ProveCommitSectors3Params(activations, [.. batch.Select(e => e.Proof)], RequireActivationSuccess: false);
        var receipt = await miner.Send(ActorMethods.Miner.ProveCommitSectors3, parameters.ToCbor(), BigInteger.Zero);
        var result = BatchReturn.FromCbor(receipt.Return);
        var failed = result.FailCodes.ToDictionary(f => f.Index, f => f.Code);
        return [.. batch.Select((e, i) => failed.TryGetValue((ulong)i, out var code)
            ? new BatchOutcome(false, receipt.Message, receipt.Height, $"sector {e.Number} refused in ProveCommitSectors3 message {receipt.Message} with exit code {code}")
            : new BatchOutcome(true, receipt.Message, receipt.Height, ""))];
    }

    /// <inheritdoc />
    protected override Task NotifyAsync(ulong number, BatchOutcome outcome) =>
        GrainFactory.GetGrain<ISectorGrain>(new SectorId(MinerId, number).Name).CommitLanded(outcome);
}
