using Granary.Chain.Devnet.Mining;
using Granary.Filecoin.Addresses;
using Granary.Grains.Placement;
using Granary.Grains.Sectors;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Silo.Api;
using Granary.Silo.Chain;

namespace Granary.Silo.Hosting;

/// <summary>
/// lotus-miner's sector methods for this silo's miner (<c>REPO/miner.json</c>): <c>PledgeSector</c> (write),
/// <c>SectorsList</c>, <c>SectorsStatus</c>, <c>SectorsSummary</c> (read) and <c>SectorRemove</c> (admin). Shapes follow
/// lotus's (<c>abi.SectorID</c>, <c>api.SectorInfo</c> with its <c>Log</c>), Granary's fields added.
/// </summary>
internal static class SectorMethods
{
    /// <summary>How many sector grains are asked at once for a list or summary.</summary>
    private const int Parallel = 32;

    public static IEnumerable<RpcMethod> Create(SiloIdentity identity, IGrainFactory grains) =>
    [
        new("Filecoin.PledgeSector", Permission.Write, async (_, _) =>
        {
            var (miner, proof) = Miner(identity);
            var number = await Call(() => grains.GetGrain<ISectorNumberGrain>((long)miner).Pledge(proof.Id));
            return new { Miner = miner, Number = number };
        }),
        new("Filecoin.SectorsList", Permission.Read, async (_, _) =>
        {
            var (miner, _) = Miner(identity);
            return await Call(() => grains.GetGrain<ISectorNumberGrain>((long)miner).Numbers());
        }),
        new("Filecoin.SectorsStatus", Permission.Read, async (p, _) =>
        {
            var (miner, _) = Miner(identity);
            var number = p.Get<ulong>(0, "sector");
            var onChainInfo = p.Count > 1 && p.Get<bool>(1, "showOnChainInfo");
            var grain = Grain(grains, miner, number);
            var snapshot = await Call(() => grain.Status())
                ?? throw new RpcException(RpcException.MethodError, $"sector {number} not found");
            return Describe(snapshot, onChainInfo ? await Call(() => grain.OnChain()) : null);
        }),
        new("Filecoin.SectorsSummary", Permission.Read, async (_, _) =>
        {
            var (miner, _) = Miner(identity);
            var statuses = await StatusesAsync(grains, miner);
            return statuses.GroupBy(s => s.State).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToString(), g => g.Count());
        }),
        new("Filecoin.SectorRemove", Permission.Admin, async (p, _) =>
        {
            var (miner, _) = Miner(identity);
            var number = p.Get<ulong>(0, "sector");
            await Call(async () =>
            {
                await Grain(grains, miner, number).Remove();
                return true;
            });
            return null;
        }),
    ];

    /// <summary>lotus's <c>api.SectorInfo</c> for one sector, plus the chain's view when <paramref name="chain"/> is given.</summary>
    private static object Describe(SectorSnapshot s, SectorChainStatus? chain)
    {
        return new
        {
            SectorID = s.Number,
            State = s.State.ToString(),
            CommD = s.CommD is null ? null : new Dictionary<string, string> { ["/"] = SectorCommitments.UnsealedCid(s.CommD).ToString() },
            CommR = s.CommR is null ? null : new Dictionary<string, string> { ["/"] = SectorCommitments.SealedCid(s.CommR).ToString() },
            Proof = (string?)null,
            Deals = s.Pieces.Where(x => x.Deal).Select(x => x.DealId).ToArray(),
            Pieces = s.Pieces.Select(x => new
            {
                Piece = new { Size = x.Size, PieceCID = new Dictionary<string, string> { ["/"] = x.PieceCid } },
                DealInfo = x.Deal ? new { DealID = x.DealId } : null,
            }).ToArray(),
            Ticket = new { Value = s.Ticket is null ? null : Convert.ToBase64String(s.Ticket), Epoch = s.TicketEpoch },
            Seed = new { Value = s.Seed is null ? null : Convert.ToBase64String(s.Seed), Epoch = s.SeedEpoch },
            PreCommitMsg = s.PreCommitMessage is null ? null : new Dictionary<string, string> { ["/"] = s.PreCommitMessage },
            CommitMsg = s.CommitMessage is null ? null : new Dictionary<string, string> { ["/"] = s.CommitMessage },
            Retries = (ulong)s.Failures,
            ToUpgrade = false,
            LastErr = s.LastError,
            Log = s.History.Select(h => new
            {
                Kind = $"event;sealing.{h.State}",
                Timestamp = (ulong)h.Entered.ToUnixTimeSeconds(),
                Trace = "",
                Message = h.Note,
                // Granary: the state entered, exact time and silo.
                State = h.State.ToString(),
                Time = h.Entered,
                h.Silo,
            }).ToArray(),
            SealProof = s.SealProof,
            Activation = s.Activation,
            Expiration = s.Expiration,
            DealWeight = "0",
            VerifiedDealWeight = "0",
            InitialPledge = "0",
            OnTime = 0,
            Early = 0,
            // Granary's fields.
            s.Miner,
            Created = s.Created,
            OnChain = chain?.OnChain,
            Active = chain?.Active,
            OnChainExpiration = chain?.Expiration,
            PreCommitEpoch = s.PreCommitEpoch,
            RetryAt = s.RetryAt,
            ScratchSilo = s.ScratchSilo,
            s.Restarts,
            s.FaultReason,
            s.Stage,
            s.Progress,
            s.Silo,
            s.TransitionMicroseconds,
        };
    }

    private static async Task<List<SectorSnapshot>> StatusesAsync(IGrainFactory grains, ulong miner)
    {
        var numbers = await Call(() => grains.GetGrain<ISectorNumberGrain>((long)miner).Numbers());
        var result = new SectorSnapshot?[numbers.Length];
        await System.Threading.Tasks.Parallel.ForEachAsync(Enumerable.Range(0, numbers.Length), new ParallelOptions { MaxDegreeOfParallelism = Parallel },
            async (i, _) => result[i] = await Call(() => Grain(grains, miner, numbers[i]).Status()));
        return [.. result.OfType<SectorSnapshot>()];
    }

    private static ISectorGrain Grain(IGrainFactory grains, ulong miner, ulong number) => grains.GetGrain<ISectorGrain>(new SectorId(miner, number).Name);

    private static (ulong Miner, SealProofType Proof) Miner(SiloIdentity identity)
    {
        var file = MinerFile.Read(identity.Repo.Root) ?? throw new RpcException(RpcException.MethodError,
            $"this silo's repo {identity.Repo.Root} has no miner: run `granary init --repo {identity.Repo.Root}` (with the silo stopped)");
        return (Address.Parse(file.Miner).Id, SealProofType.FromSizeName(file.SectorSize));
    }

    // The grains' refusals are the caller's answer (one line), not a server fault.
    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or SubsystemUnavailableException or TimeoutException)
        {
            throw new RpcException(RpcException.MethodError, e.Message);
        }
    }
}
