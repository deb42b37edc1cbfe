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

    /// <inheritdoc />
    public bool Equals(SealingConfig? other) =>
        other is not null && Cores == other.Cores && Memory == other.Memory && GpuSlots == other.GpuSlots
        && ScratchLostAfter == other.ScratchLostAfter && Tasks.SequenceEqual(other.Tasks);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Cores, Memory, GpuSlots, ScratchLostAfter, Tasks.Count);
}

/// <summary><c>[SectorStorage]</c>: how this silo's storage paths are reached and reported.</summary>
/// <param name="RemoteUrl">Where other silos fetch this silo's sector files (<c>GET {RemoteUrl}/sealed/s-t0M-N</c>).
/// Empty: <c>http://HOST:PORT/remote</c> from <c>[API] ListenAddress</c>, with <c>[Cluster] AdvertisedAddress</c> as
/// the host when the API listens on every address.</param>
/// <param name="HeartbeatInterval">How often this silo reports its paths' capacity to the sector index.</param>
/// <param name="HeartbeatTimeout">How long the sector index waits for a silo's report before its paths count as
/// unavailable (set the same on every silo).</param>
public sealed record SectorStorageConfig(string RemoteUrl, TimeSpan HeartbeatInterval, TimeSpan HeartbeatTimeout);
