using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Granary.Proofs;

namespace Granary.Chain.Devnet.Mining;

/// <summary>
/// A devnet miner actor's state and rules: pre-commit, prove-commit with seal verification, deadline and
/// partition assignment, WindowPoSt with verification, fault and recovery declarations, and the per-epoch cron
/// (missed deadlines, fees, fault termination, expiry, pre-commit expiry). Pure state and rules: the caller
/// checks senders, moves funds, supplies randomness and verifiers, and persists the state as JSON
/// (<see cref="ToJson"/>/<see cref="FromJson"/>, or any <see cref="JsonSerializer"/> call: the converters are on
/// the properties). A method that throws <see cref="ActorException"/> leaves the state unchanged.
/// </summary>
/// <remarks>
/// Filecoin's rules, exit codes and deadline arithmetic, simplified as follows:
/// <list type="bullet">
/// <item>Economics are flat (<see cref="MinerMonies"/>): deposit = pledge = 0.01 FIL per sector; a tenth of that per
/// faulty sector per close of its deadline; a sector faulty past <c>FaultMaxAge</c> forfeits its pledge; an expired
/// pre-commit forfeits its deposit. No vesting, no block-reward-based pledge, no termination-fee formula. Fees the
/// balance cannot cover become <see cref="FeeDebt"/>, repaid by the cron as the balance allows; while any debt is
/// owed, pre-commits and recovery declarations are refused (19) instead of repaying it first.</item>
/// <item>Power: raw = sector size × active sectors; quality-adjusted = raw (no verified-deal multiplier). New
/// sectors are unproven and gain power at their first WindowPoSt, as in Filecoin.</item>
/// <item>Every WindowPoSt is verified on submission (no optimistic acceptance, so nothing to dispute). The proof
/// covers the partitions' live sectors minus the faulty ones that are not recovering and minus the skipped ones,
/// by ascending sector number; with no sector left to prove nothing is verified.</item>
/// <item>Deadline assignment is Filecoin's ordering (fill partial partitions, then fewest partitions, then fewest
/// live sectors, then lowest index) over deadlines that are neither open nor next; partitions are never compacted.</item>
/// <item>Expiry: a sector leaves at the close of its deadline's first window ending at or after its Expiration.
/// Pre-commits expire right after <c>PreCommitEpoch + MaxProveCommitDuration</c> (no clean-up delay).</item>
/// <item>The worker address changes at once (no WorkerKeyChangeDelay / confirmation); owner changes, sector
/// extension, manual termination, replica updates, aggregation and NI-PoRep are not implemented.</item>
/// <item>Batch limits: a prove-commit takes at most <c>PreCommitSectorBatchMaxSize</c> sectors; fault and recovery
/// declarations at most 25,000 sectors.</item>
/// </list>
/// The cron (<see cref="ProcessEpoch"/>) must run after each epoch's messages, as Filecoin's does.
/// </remarks>
public sealed partial class MinerState
{
    /// <summary>Filecoin's <c>MaxControlAddresses</c>.</summary>
    public const int MaxControlAddresses = 10;

    /// <summary>Filecoin's <c>MaxPeerIDLength</c>.</summary>
    public const int MaxPeerIdLength = 128;

    /// <summary>Filecoin's <c>MaxMultiaddrData</c>: total bytes of all multiaddrs.</summary>
    public const int MaxMultiaddrData = 1024;

    /// <summary>Filecoin's <c>MaxPartitionsPerDeadline</c>.</summary>
    public const int MaxPartitionsPerDeadline = 3000;

    /// <summary>Filecoin's <c>MaxSectorNumber</c>.</summary>
    public const ulong MaxSectorNumber = long.MaxValue;

    /// <summary>Deals per sector (Filecoin's <c>SectorDealsMax</c> for sectors up to 32 GiB).</summary>
    public const int MaxDealsPerSector = 256;

    /// <summary>Sectors one fault or recovery declaration may name (Filecoin's <c>AddressedSectorsMax</c>).</summary>
    public const int AddressedSectorsMax = 25_000;

    /// <summary>The miner's actor id (its prover id derives from it).</summary>
    public ulong ActorId { get; set; }

    /// <summary>Owner, worker, peer info, proof types, proving period offset.</summary>
    public MinerInfoState Info { get; set; } = new();

    /// <summary>Pre-committed sectors not yet proven, by number.</summary>
    public SortedDictionary<ulong, PreCommitState> PreCommits { get; set; } = new();

    /// <summary>Live proven sectors, by number (expired and terminated ones are removed).</summary>
    public SortedDictionary<ulong, SectorState> Sectors { get; set; } = new();

    /// <summary>Every sector number ever pre-committed: numbers are never reused.</summary>
    public SortedSet<ulong> AllocatedSectors { get; set; } = [];

    /// <summary>The proving period's deadlines (WPoStPeriodDeadlines of them).</summary>
    public List<DeadlineState> Deadlines { get; set; } = [];

    /// <summary>Deposits locked by pending pre-commits.</summary>
    [JsonConverter(typeof(TokenAmountJsonConverter))]
    public TokenAmount PreCommitDeposits { get; set; }

    /// <summary>Pledge locked by live sectors.</summary>
    [JsonConverter(typeof(TokenAmountJsonConverter))]
    public TokenAmount InitialPledge { get; set; }

    /// <summary>Fees owed that the balance could not cover.</summary>
    [JsonConverter(typeof(TokenAmountJsonConverter))]
    public TokenAmount FeeDebt { get; set; }

    /// <summary>The last epoch the cron processed.</summary>
    public long ProcessedThroughEpoch { get; set; }

    /// <summary>Funds the miner actor may not spend or withdraw.</summary>
    [JsonIgnore]
    public TokenAmount LockedFunds => PreCommitDeposits + InitialPledge;

    /// <summary>
    /// A new miner (power actor's CreateMiner). The proving period offset is Filecoin's pseudo-random one
    /// (<see cref="AssignProvingPeriodOffset"/>) unless given.
    /// </summary>
    /// <exception cref="ActorException">16: unsupported seal proof, non-id addresses, too many control addresses, oversized peer info.</exception>
    public static MinerState Create(
        ulong actorId, Address owner, Address worker, IReadOnlyList<Address> controlAddresses, byte[]? peerId, IReadOnlyList<byte[]> multiaddrs,
        long sealProofType, long epoch, ChainPolicy policy, long? provingPeriodOffset = null)
    {
        var type = SealProofType.All.FirstOrDefault(t => t.Id == sealProofType)
            ?? throw new ActorException(ExitCode.ErrIllegalArgument, $"unsupported seal proof type {sealProofType}");
        RequireIdAddress(owner, "owner");
        CheckWorkerAndControl(worker, controlAddresses);
        CheckPeerInfo(peerId, multiaddrs);
        var offset = provingPeriodOffset ?? AssignProvingPeriodOffset(Address.FromId(actorId), epoch, policy);
        if (offset < 0 || offset >= policy.WPoStProvingPeriod)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"proving period offset {offset} is outside [0, {policy.WPoStProvingPeriod})");
        }

        return new MinerState
        {
            ActorId = actorId,
            Info = new MinerInfoState
            {
                OwnerId = owner.Id,
                WorkerId = worker.Id,
                ControlIds = [.. controlAddresses.Select(a => a.Id)],
                PeerId = peerId is null ? null : [.. peerId],
                Multiaddrs = [.. multiaddrs.Select(m => m.ToArray())],
                SealProofType = type.Id,
                SectorSize = (ulong)type.SectorSize,
                WindowPoStPartitionSectors = (ulong)type.WindowPoStPartitionSectors,
                WindowPoStProofType = type.WindowPoStProofId,
                ProvingPeriodOffset = offset,
            },
            Deadlines = [.. Enumerable.Range(0, (int)policy.WPoStPeriodDeadlines).Select(_ => new DeadlineState())],
            ProcessedThroughEpoch = epoch - 1,
        };
    }

    /// <summary>
    /// Filecoin's proving period offset for a new miner: blake2b-256 of the miner address (CBOR byte string)
    /// followed by the epoch as big-endian int64; the first 8 bytes big-endian, modulo the proving period.
    /// </summary>
    public static long AssignProvingPeriodOffset(Address miner, long epoch, ChainPolicy policy)
    {
        var writer = DagCbor.Writer();
        writer.WriteByteString(miner.ToBytes());
        var address = writer.Encode();
        var seed = new byte[address.Length + 8];
        address.CopyTo(seed, 0);
        BinaryPrimitives.WriteInt64BigEndian(seed.AsSpan(address.Length), epoch);
        var digest = Blake2b.Hash256(seed);
        return (long)(BinaryPrimitives.ReadUInt64BigEndian(digest) % (ulong)policy.WPoStProvingPeriod);
    }

    /// <summary>Options for persisting the state: compact, with a low depth limit (the converters sit on the properties, so other options work too).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = false, MaxDepth = 16 };

    /// <summary>The state as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>A state persisted by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">Not a miner state, or one whose structure is inconsistent.</exception>
    public static MinerState FromJson(string json)
    {
        var state = JsonSerializer.Deserialize<MinerState>(json, JsonOptions) ?? throw new JsonException("miner state is null");
        state.CheckStructure();
        return state;
    }

    private void CheckStructure()
    {
        if (Info is null || PreCommits is null || Sectors is null || AllocatedSectors is null || Deadlines is null || Deadlines.Count == 0
            || Deadlines.Any(d => d?.Partitions is null || d.PostSubmissions is null || d.Partitions.Any(p => p is null
                || p.Sectors is null || p.Unproven is null || p.Faulty is null || p.Recovering is null || p.Terminated is null
                || p.Expired is null || p.FaultExpirations is null)))
        {
            throw new JsonException("miner state is missing parts (info, sector maps, deadlines or partition sets)");
        }

        foreach (var (number, sector) in Sectors)
        {
            if (sector is null || sector.SectorNumber != number || sector.Deadline >= (ulong)Deadlines.Count
                || sector.Partition >= (ulong)Deadlines[(int)sector.Deadline].Partitions.Count)
            {
                throw new JsonException($"miner state's sector {number} does not match its deadline and partition");
            }
        }
    }
}
