using Granary.Grains.Placement;
using Granary.Grains.Sealing.Workers;

namespace Granary.Silo.Configuration;

/// <summary>A silo's <c>config.toml</c>, validated. Sections and keys follow lotus-miner where it has them.</summary>
public sealed record GranaryConfig(
    SubsystemsConfig Subsystems,
    ApiConfig Api,
    Libp2pConfig Libp2p,
    ClusterConfig Cluster,
    DashboardConfig Dashboard,
    ChainConfig Chain,
    SealingConfig Sealing,
    SectorStorageConfig SectorStorage)
{
    /// <summary>The embedded default: a monolith on SQLite, everything on 127.0.0.1.</summary>
    public static GranaryConfig Default { get; } = new(
        new SubsystemsConfig(true, true, true, true),
        new ApiConfig("/ip4/127.0.0.1/tcp/2345/http"),
        new Libp2pConfig(["/ip4/127.0.0.1/tcp/24001"], []),
        new ClusterConfig("granary", "granary", 11111, 0, "127.0.0.1", "sqlite:granary.db"),
        new DashboardConfig("127.0.0.1:8080"),
        new ChainConfig("", 4),
        new SealingConfig(0, 0, 0, SealingWorkerOptions.DefaultScratchLostAfter, []),
        new SectorStorageConfig("", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)));

    /// <summary><c>[Proving]</c>: the WindowPoSt check budgets and message size.</summary>
    public ProvingConfig Proving { get; init; } = ProvingConfig.Default;

    /// <summary><c>[Dealmaking]</c>: the deal acceptance limits of a markets silo.</summary>
    public DealmakingConfig Dealmaking { get; init; } = DealmakingConfig.Default;

    /// <summary><c>[Retrieval]</c>: the public HTTP retrieval endpoint of a markets silo.</summary>
    public RetrievalConfig Retrieval { get; init; } = RetrievalConfig.Default;
}

/// <summary><c>[Subsystems]</c>: which of lotus-miner's four subsystems this silo runs.</summary>
public sealed record SubsystemsConfig(bool EnableMining, bool EnableSealing, bool EnableSectorStorage, bool EnableMarkets)
{
    /// <summary>The enabled subsystems as a set (published as silo metadata).</summary>
    public SubsystemSet ToSet() => SubsystemSet.Of(
        [.. new (bool On, Subsystem S)[]
        {
            (EnableMining, Subsystem.Mining), (EnableSealing, Subsystem.Sealing),
            (EnableSectorStorage, Subsystem.SectorStorage), (EnableMarkets, Subsystem.Markets),
        }.Where(x => x.On).Select(x => x.S)]);
}

/// <summary><c>[API]</c>: the JSON-RPC endpoint, as a multiaddr such as <c>/ip4/127.0.0.1/tcp/2345/http</c>.</summary>
public sealed record ApiConfig(string ListenAddress)
{
    /// <summary>The parsed listen address.</summary>
    public HttpListenAddress Endpoint => HttpListenAddress.FromMultiaddr(ListenAddress);
}

/// <summary><c>[Libp2p]</c>: where the markets libp2p host listens and what it announces.</summary>
public sealed record Libp2pConfig(IReadOnlyList<string> ListenAddresses, IReadOnlyList<string> AnnounceAddresses);

/// <summary><c>[Cluster]</c>: Orleans cluster identity, ports and the database.</summary>
/// <param name="ClusterId">Orleans cluster id; every silo of one cluster uses the same.</param>
/// <param name="ServiceId">Orleans service id; part of every grain-state key, so never change it.</param>
/// <param name="SiloPort">Orleans silo-to-silo port (private network only).</param>
/// <param name="AdvertisedAddress">The IP address other silos dial to reach this one.</param>
/// <param name="GatewayPort">Orleans gateway port for external Orleans clients; 0 disables it.</param>
/// <param name="Database"><c>sqlite:PATH</c> (relative to the repo) or a PostgreSQL connection string.</param>
public sealed record ClusterConfig(
    string ClusterId, string ServiceId, int SiloPort, int GatewayPort, string AdvertisedAddress, string Database);

/// <summary><c>[Dashboard]</c>: the admin HTTP endpoint (<c>/healthz</c>, <c>/dashboard</c>), as <c>host:port</c>.</summary>
public sealed record DashboardConfig(string ListenAddress)
{
    /// <summary>The parsed listen address.</summary>
    public HttpListenAddress Endpoint => HttpListenAddress.FromHostPort(ListenAddress);
}

/// <summary><c>[Chain]</c>: the chain node this silo talks to.</summary>
/// <param name="ApiInfo">Empty: run the embedded devnet in this process. Otherwise a Lotus-compatible node as
/// <c>TOKEN:MULTIADDR</c> (Lotus's <c>FULLNODE_API_INFO</c> form), e.g. a <c>granary devnet run</c> process.</param>
/// <param name="DevnetBlockDelaySeconds">Seconds per epoch of the embedded devnet.</param>
public sealed record ChainConfig(string ApiInfo, int DevnetBlockDelaySeconds)
{
    /// <summary>Whether this silo runs the embedded devnet.</summary>
    public bool Embedded => ApiInfo.Length == 0;
}

/// <summary><c>[Sealing]</c>: this silo's sealing worker pool (used when <c>EnableSealing = true</c>).</summary>
/// <param name="Cores">Cores the pool schedules; 0: every core of the machine.</param>
/// <param name="Memory">Bytes of memory the pool schedules; 0: the machine's physical memory.</param>
/// <param name="GpuSlots">GPU slots; 0: none (GPU-capable stages run on the CPU).</param>
/// <param name="ScratchLostAfter">How long the silo holding a sector's scratch files may be gone before the
/// sector restarts from its unsealed pieces on another sealing silo.</param>
/// <param name="Tasks">Per task type settings (<c>MaxParallel{Type}</c>, <c>{Type}Cores</c>, <c>{Type}Memory</c>,
/// <c>{Type}GpuSlots</c>), for the types the file sets anything for.</param>
public sealed record SealingConfig(int Cores, long Memory, int GpuSlots, TimeSpan ScratchLostAfter, IReadOnlyList<SealingTaskOverride> Tasks)
{
    /// <summary>The worker pool options these settings make.</summary>
    public SealingWorkerOptions ToOptions() => new()
    {
        Cores = Cores,
        Memory = Memory,
        GpuSlots = GpuSlots,
        ScratchLostAfter = ScratchLostAfter,
        Tasks = Tasks,
    };

    /// <summary>The sealing pipeline's batch and retry keys (<c>PreCommitBatchSize</c>, <c>PreCommitBatchWait</c>,
    /// <c>CommitBatchSize</c>, <c>CommitBatchWait</c>, <c>RetryBackoff</c>, <c>MaxRetryBackoff</c>).</summary>
    public SealingPipelineConfig Pipeline { get; init; } = SealingPipelineConfig.Default;

    /// <inheritdoc />
    public bool Equals(SealingConfig? other) =>
        other is not null && Cores == other.Cores && Memory == other.Memory && GpuSlots == other.GpuSlots
        && ScratchLostAfter == other.ScratchLostAfter && Tasks.SequenceEqual(other.Tasks)
        && Pipeline == other.Pipeline;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Cores, Memory, GpuSlots, ScratchLostAfter, Tasks.Count);
}

/// <summary>The sealing pipeline's keys of <c>[Sealing]</c>: pre-commit and commit batching per miner, and the back-off of failed steps.</summary>
/// <param name="PreCommitBatchSize">Sectors per PreCommitSectorBatch message (1 sends each sector at once).</param>
/// <param name="PreCommitBatchWait">Longest a sealed sector waits for its pre-commit batch to fill.</param>
/// <param name="CommitBatchSize">Sectors per ProveCommitSectors3 message (also capped by the message size limit).</param>
/// <param name="CommitBatchWait">Longest a proof waits for its commit batch to fill.</param>
/// <param name="RetryBackoff">Wait before the first retry of a failed step; it doubles with each further failure ...</param>
/// <param name="MaxRetryBackoff">... up to this.</param>
public sealed record SealingPipelineConfig(
    int PreCommitBatchSize, TimeSpan PreCommitBatchWait, int CommitBatchSize, TimeSpan CommitBatchWait, TimeSpan RetryBackoff, TimeSpan MaxRetryBackoff)
{
    /// <summary>The defaults.</summary>
    public static SealingPipelineConfig Default { get; } = new(10, TimeSpan.FromMinutes(1), 4, TimeSpan.FromMinutes(1),
        TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10));

    /// <summary>Longest a deal sector waits in WaitDeals for more pieces after its first (lotus's <c>WaitDealsDelay</c>, 1h).</summary>
    public TimeSpan WaitDealsDelay { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The sector grains' options these settings make, for a chain with <paramref name="blockDelaySeconds"/>-second epochs.</summary>
    public Granary.Grains.Sectors.SectorPipelineOptions ToOptions(int blockDelaySeconds) => new()
    {
        PreCommitBatchSize = PreCommitBatchSize,
        PreCommitBatchWait = PreCommitBatchWait,
        CommitBatchSize = CommitBatchSize,
        CommitBatchWait = CommitBatchWait,
        RetryBackoff = RetryBackoff,
        MaxRetryBackoff = MaxRetryBackoff,
        WaitDealsDelay = WaitDealsDelay,
        // Waiting sectors look at the chain twice per epoch.
        ChainPollInterval = TimeSpan.FromMilliseconds(Math.Clamp(blockDelaySeconds * 500, 100, 5_000)),
        Policy = Granary.Chain.Model.ChainPolicy.Devnet with { BlockDelaySeconds = blockDelaySeconds },
    };
}

/// <summary><c>[SectorStorage]</c>: how this silo's storage paths are reached and reported.</summary>
/// <param name="RemoteUrl">Where other silos fetch this silo's sector files (<c>GET {RemoteUrl}/sealed/s-t0M-N</c>).
/// Empty: <c>http://HOST:PORT/remote</c> from <c>[API] ListenAddress</c>, with <c>[Cluster] AdvertisedAddress</c> as
/// the host when the API listens on every address.</param>
/// <param name="HeartbeatInterval">How often this silo reports its paths' capacity to the sector index.</param>
/// <param name="HeartbeatTimeout">How long the sector index waits for a silo's report before its paths count as
/// unavailable (set the same on every silo).</param>
public sealed record SectorStorageConfig(string RemoteUrl, TimeSpan HeartbeatInterval, TimeSpan HeartbeatTimeout);

/// <summary><c>[Proving]</c> (lotus-miner's keys): how a mining silo checks its sectors before each WindowPoSt and how many partitions a message carries.</summary>
/// <param name="ParallelCheckLimit">Sector checks one silo runs at once.</param>
/// <param name="SingleCheckTimeout">Longest one sector's check may take before it counts as unreadable.</param>
/// <param name="PartitionCheckTimeout">Longest one partition's checks may take together.</param>
/// <param name="MaxPartitionsPerPoStMessage">Partitions per SubmitWindowedPoSt; 0 = the chain's maximum (3).</param>
public sealed record ProvingConfig(int ParallelCheckLimit, TimeSpan SingleCheckTimeout, TimeSpan PartitionCheckTimeout, int MaxPartitionsPerPoStMessage)
{
    /// <summary>The defaults: budgets sized for the devnet's 40-second deadlines (lotus's mainnet defaults are 10m and 20m).</summary>
    public static ProvingConfig Default { get; } = new(32, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), 0);

    /// <summary>The proving options these settings make.</summary>
    public Granary.Grains.Proving.ProvingOptions ToOptions() => new()
    {
        ParallelCheckLimit = ParallelCheckLimit,
        SingleCheckTimeout = SingleCheckTimeout,
        PartitionCheckTimeout = PartitionCheckTimeout,
        MaxPartitionsPerPoStMessage = MaxPartitionsPerPoStMessage,
    };
}

/// <summary><c>[Dealmaking]</c>: the limits under which a markets silo accepts deals (back-pressure) and how it publishes them.</summary>
/// <param name="MaxStagingBytes">Most bytes of deal data waiting in staging, reserved at acceptance; 0: no limit.</param>
/// <param name="MaxConcurrentTransfers">Most deals transferring at once; 0: no limit.</param>
/// <param name="MaxDealsPerPublishMsg">Most deals in one <c>PublishStorageDeals</c> message.</param>
/// <param name="PublishMsgPeriod">Longest a transferred deal waits for others to fill its publish message.</param>
/// <param name="StartEpochSealingBuffer">Epochs a deal's start must be ahead of the current epoch.</param>
/// <param name="ExpectedSealDuration">How long sealing takes; a deal starting sooner is refused.</param>
/// <param name="AllowPrivateTransferUrls">Whether transfer URLs may point at loopback, link-local or private addresses.</param>
/// <param name="HttpRetrievalMultiaddr">The public multiaddr of the HTTP retrieval endpoint the transports protocol lists
/// (e.g. <c>/dns/sp.example/tcp/443/https</c>); empty: <c>[Retrieval] ListenAddress</c>.</param>
public sealed record DealmakingConfig(
    long MaxStagingBytes, int MaxConcurrentTransfers, int MaxDealsPerPublishMsg, TimeSpan PublishMsgPeriod, long StartEpochSealingBuffer,
    TimeSpan ExpectedSealDuration, bool AllowPrivateTransferUrls, string HttpRetrievalMultiaddr)
{
    /// <summary>The embedded default: 64 GiB of staging, 20 transfers, 8 deals per publish message or 1 minute, a 480-epoch buffer, 1 h sealing.</summary>
    public static DealmakingConfig Default { get; } = new(64L << 30, 20, 8, TimeSpan.FromMinutes(1), 480, TimeSpan.FromHours(1), false, "");

    /// <summary>
    /// <c>MaxSealingSectorsForDeals</c>: most sectors sealing for deals at once, counting those the deals accepted but not
    /// yet in a sector still need (lotus's key); 0: no limit (the default, as lotus's).
    /// </summary>
    public int MaxSealingSectorsForDeals { get; init; }

    /// <summary>Sets the deal grains' options to these limits, for <paramref name="miner"/>, with the chain's <paramref name="blockDelay"/>.</summary>
    public void Configure(Granary.Grains.Deals.DealmakingOptions options, string miner, TimeSpan blockDelay)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Miner = miner;
        options.MaxStagingBytes = MaxStagingBytes;
        options.MaxConcurrentTransfers = MaxConcurrentTransfers;
        options.MaxSealingSectorsForDeals = MaxSealingSectorsForDeals;
        options.MaxDealsPerPublishMsg = MaxDealsPerPublishMsg;
        options.PublishMsgPeriod = PublishMsgPeriod;
        options.StartEpochSealingBuffer = StartEpochSealingBuffer;
        options.ExpectedSealDuration = ExpectedSealDuration;
        options.BlockDelay = blockDelay;
        options.AllowPrivateTransferUrls = AllowPrivateTransferUrls;
    }
}

/// <summary><c>[Retrieval]</c>: where a markets silo serves <c>/piece/{pieceCid}</c> and <c>/ipfs/{cid}</c> over HTTP.</summary>
/// <param name="ListenAddress">The listen multiaddr, e.g. <c>/ip4/0.0.0.0/tcp/24002/http</c> on a public gateway.</param>
public sealed record RetrievalConfig(string ListenAddress)
{
    /// <summary>The default: loopback, port 24002.</summary>
    public static RetrievalConfig Default { get; } = new("/ip4/127.0.0.1/tcp/24002/http");

    /// <summary>
    /// <c>UnsealTimeout</c>: how long a retrieval of a piece whose sector has only a sealed replica waits for the sector to be
    /// unsealed on demand before it answers 503 with <c>Retry-After</c> (the unseal goes on).
    /// </summary>
    public TimeSpan UnsealTimeout { get; init; } = Granary.Grains.Pieces.ClusterUnsealedSectorLocator.DefaultUnsealTimeout;

    /// <summary>The parsed listen address.</summary>
    public HttpListenAddress Endpoint => HttpListenAddress.FromMultiaddr(ListenAddress);
}
