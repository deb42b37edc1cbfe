using System.Diagnostics;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.PoSt;
using Granary.Proofs.Seal;

namespace Granary.Grains.Proving;

/// <summary>
/// One silo's proving work: checks sectors within their time budgets, computes WindowPoSt over the sectors that
/// pass (the engine skips any that fail while proving), and WinningPoSt. Files come from <see cref="ISectorFiles"/>;
/// the reading and proving run on <see cref="ProvingThreads"/>.
/// </summary>
public sealed class SectorProver(ISectorFiles files, ProvingThreads threads, ProvingOptions options, string silo)
{
    /// <summary>Checks <paramref name="sectors"/> of miner <paramref name="miner"/>, at most <see cref="ProvingOptions.PartitionCheckTimeout"/> in all.</summary>
    public async Task<SectorCheck[]> CheckAsync(ulong miner, IReadOnlyList<ProvingSector> sectors, CancellationToken cancellationToken = default)
    {
        var located = await LocateAndCheckAsync(miner, sectors, cancellationToken);
        return [.. located.Select(l => l.Check)];
    }

    /// <summary>
    /// Checks the request's sectors, then proves those that passed, in ascending order. Sectors that failed the
    /// check or the proof are returned as skipped.
    /// </summary>
    /// <exception cref="ArgumentException">No sectors, or sectors of different seal proof types.</exception>
    public async Task<WindowProof> ProveWindowAsync(WindowProofRequest request, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.StartNew();
        var type = TypeOf(request.Sectors);
        var sectors = request.Sectors.OrderBy(s => s.Number).ToList();
        var located = await LocateAndCheckAsync(request.Miner, sectors, cancellationToken);
        var skipped = located.Where(l => !l.Check.Ok).Select(l => l.Check).ToList();
        var good = located.Where(l => l.Check.Ok).Select(l => new PoStSector(l.Sector.Number, l.Sector.CommR, l.Paths!)).ToList();
        var result = await threads.ProveAsync(ct => PoStProver.Prove(type, PoStKind.Window, request.Randomness, good, ct), cancellationToken);
        skipped.AddRange(result.Skipped.Select(s => new SectorCheck(s.SectorNumber, false, s.Reason, silo, 0)));
        return new WindowProof(result.Proof, [.. result.Proven], [.. skipped.OrderBy(s => s.Sector)], silo, started.Elapsed.TotalSeconds);
    }

    /// <summary>Computes the WinningPoSt of the challenged sector and verifies it.</summary>
    public async Task<WinningProof> ProveWinningAsync(WinningProofRequest request, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.StartNew();
        var type = TypeOf([request.Sector]);
        SectorPaths paths;
        try
        {
            paths = await files.LocateAsync(new SectorId(request.Miner, request.Sector.Number), type, cancellationToken);
        }
        catch (SectorFilesUnavailableException e)
        {
            return new WinningProof(false, 0, e.Message, silo, started.Elapsed.TotalSeconds);
        }

        var sector = new PoStSector(request.Sector.Number, request.Sector.CommR, paths);
        var (proof, reason) = await threads.ProveAsync(ct =>
        {
            var result = PoStProver.Prove(type, PoStKind.Winning, request.Randomness, [sector], ct);
            if (result.Skipped.Count > 0)
            {
                return (result.Proof, result.Skipped[0].Reason);
            }

            var ok = PoStProver.Verify(type, PoStKind.Winning, request.Randomness, [new PoStPublicSector(sector.SectorNumber, sector.CommR)],
                result.Proof, out var why);
            return (result.Proof, ok ? null : $"it does not verify: {why}");
        }, cancellationToken);
        return new WinningProof(reason is null, proof.Length, reason, silo, started.Elapsed.TotalSeconds);
    }

    private async Task<List<Located>> LocateAndCheckAsync(ulong miner, IReadOnlyList<ProvingSector> sectors, CancellationToken cancellationToken)
    {
        if (sectors.Count == 0)
        {
            return [];
        }

        var type = TypeOf(sectors);
        using var partition = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        partition.CancelAfter(options.PartitionCheckTimeout);
        var checks = sectors.Select(s => CheckOneAsync(miner, type, s, partition.Token, cancellationToken));
        return [.. await Task.WhenAll(checks)];
    }

    private async Task<Located> CheckOneAsync(ulong miner, SealProofType type, ProvingSector sector, CancellationToken partition, CancellationToken caller)
    {
        var started = Stopwatch.StartNew();
        Located Bad(string reason) => new(sector, null, new SectorCheck(sector.Number, false, reason, silo, started.Elapsed.TotalSeconds));
        try
        {
            var paths = await files.LocateAsync(new SectorId(miner, sector.Number), type, partition);
            var problem = await threads.CheckAsync(() => ReplicaCheck.Problem(type, sector, paths), options.SingleCheckTimeout, partition);
            return problem is null
                ? new Located(sector, paths, new SectorCheck(sector.Number, true, null, silo, started.Elapsed.TotalSeconds))
                : Bad(problem);
        }
        catch (SectorFilesUnavailableException e)
        {
            return Bad(e.Message);
        }
        catch (TimeoutException)
        {
            return Bad($"reading it took longer than SingleCheckTimeout ({options.SingleCheckTimeout.TotalSeconds:0.#} s)");
        }
        catch (OperationCanceledException) when (partition.IsCancellationRequested && !caller.IsCancellationRequested)
        {
            return Bad($"not checked within PartitionCheckTimeout ({options.PartitionCheckTimeout.TotalSeconds:0.#} s)");
        }
    }

    private static SealProofType TypeOf(IReadOnlyList<ProvingSector> sectors)
    {
        if (sectors.Count == 0)
        {
            throw new ArgumentException("no sectors to prove");
        }

        var id = sectors[0].SealProof;
        if (sectors.Any(s => s.SealProof != id))
        {
            throw new ArgumentException("the sectors have different seal proof types; one proof covers one type");
        }

        return SealProofType.FromId((int)id);
    }

    private sealed record Located(ProvingSector Sector, SectorPaths? Paths, SectorCheck Check);
}
