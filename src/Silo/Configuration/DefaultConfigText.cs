namespace Granary.Silo.Configuration;

/// <summary>The commented default <c>config.toml</c> (<c>granary config default</c>); it parses to <see cref="GranaryConfig.Default"/>.</summary>
public static class DefaultConfigText
{
    /// <summary>The text.</summary>
    public const string Text = """
        # Granary silo configuration.
        # This is the embedded default: one machine runs every subsystem (a monolith) with its cluster
        # state in a SQLite file inside the repo, and everything listens on 127.0.0.1 only.
        # Check a file with `granary config validate FILE`. Unknown keys are refused, not ignored.

        [Subsystems]
          # lotus-miner's four subsystems. Each is a silo role: grains that need a subsystem only run on
          # silos that enable it. A gateway silo runs only markets; sealing and proving silos run the rest.
          #
          # WindowPoSt, WinningPoSt and the miner actor.
          EnableMining = true
          # The sealing pipeline and its workers (AddPiece, PreCommit, Commit, Finalize).
          EnableSealing = true
          # Storage paths for sealed and unsealed sectors, and the sector index.
          EnableSectorStorage = true
          # Deals and retrieval over libp2p and HTTP. Only a markets silo should face the internet.
          EnableMarkets = true

        [API]
          # JSON-RPC endpoint (path /rpc/v0; every call needs a token, see `granary auth api-info`).
          # Keep it on a private address: it administers the node.
          ListenAddress = "/ip4/127.0.0.1/tcp/2345/http"

        [Libp2p]
          # Where the markets libp2p host listens (used when EnableMarkets = true).
          # A public gateway listens on a public address, e.g. "/ip4/0.0.0.0/tcp/24001".
          ListenAddresses = ["/ip4/127.0.0.1/tcp/24001"]
          # Addresses to advertise on chain and to peers instead of the listen addresses, e.g. behind NAT.
          AnnounceAddresses = []

        [Cluster]
          # Every silo of one cluster uses the same ClusterId and ServiceId and the same Database.
          ClusterId = "granary"
          # Part of every grain-state key: changing it orphans existing state.
          ServiceId = "granary"
          # Silo-to-silo port. Open it only between silos, never to the internet.
          SiloPort = 11111
          # Orleans gateway port for external Orleans clients; 0 (the default) opens none.
          GatewayPort = 0
          # The IP address other silos dial to reach this one (the private-network address).
          AdvertisedAddress = "127.0.0.1"
          # "sqlite:PATH" (relative to the repo; one machine only) or a PostgreSQL connection string
          # for a multi-machine cluster, e.g. "Host=10.0.2.10;Database=granary;Username=granary;Password=..."
          Database = "sqlite:granary.db"

        [Chain]
          # The chain node. Empty (the default): this silo runs the embedded devnet itself, with its state
          # in the repo. In a cluster, run one `granary devnet run` (or use a Lotus node) and give every
          # silo its API as TOKEN:MULTIADDR (Lotus's FULLNODE_API_INFO form), e.g.
          # "eyJhbGciOi...:/ip4/10.0.2.5/tcp/1234/http".
          ApiInfo = ""
          # Seconds per epoch of the embedded devnet (Lotus's 2k devnet uses 4).
          DevnetBlockDelaySeconds = 4

        [Sealing]
          # The sealing worker pool of this silo (used when EnableSealing = true). Heavy stages (AddPiece,
          # PreCommit1/2, Commit1/2, Finalize, Unseal) run on the pool's own threads, each admitted only when
          # the cores, memory and GPU slots it claims are free; the claims per stage and sector size follow
          # lotus's resource table (see docs/operations.md, "Sealing workers").
          #
          # Cores the pool schedules; 0 = every core of the machine.
          Cores = 0
          # Memory the pool schedules, e.g. "96GiB"; "" = the machine's physical memory.
          Memory = ""
          # GPU slots; 0 = no GPU (stages that could use one run on the CPU).
          GpuSlots = 0
          # A sector's scratch files stay on the silo that made them. If that silo is gone for longer than
          # this, the sector restarts from its unsealed pieces on another sealing silo.
          ScratchLostAfter = "1h"
          # Per stage (AddPiece, PreCommit1, PreCommit2, Commit1, Commit2, Finalize, Unseal), for example:
          #   MaxParallelPreCommit1 = 2      at most 2 at once (0 = as many as resources allow)
          #   PreCommit1Cores = 1            cores one task claims
          #   PreCommit1Memory = "64GiB"     memory one task claims, for every sector size
          #   Commit2GpuSlots = 1            GPU slots one task claims when GpuSlots > 0
          #
          # The sealing pipeline (sector grains on this cluster's sealing silos). Pre-commits and prove-commits
          # are sent in batches per miner: a batch goes when it holds this many sectors or its oldest sector
          # has waited this long (1 sends each at once).
          PreCommitBatchSize = 10
          PreCommitBatchWait = "1m"
          CommitBatchSize = 4
          CommitBatchWait = "1m"
          # A failed step (a *Failed state in `sectors status`) is retried after RetryBackoff, doubling with
          # each further failure up to MaxRetryBackoff.
          RetryBackoff = "10s"
          MaxRetryBackoff = "10m"
          # A deal sector waits in WaitDeals for more deals' pieces at most this long after its first piece
          # before it seals part-empty (it seals at once when full or when a deal's start epoch is near).
          WaitDealsDelay = "1h"

        [SectorStorage]
          # Storage paths (used when EnableSectorStorage, EnableSealing or EnableMining = true). Paths are attached
          # with `granary storage attach` and listed in the repo's storage.json; see docs/operations.md.
          #
          # Where other silos fetch this silo's sector files (GET RemoteUrl/sealed/s-t01000-5, with an admin
          # token). Empty: http://HOST:PORT/remote from [API] ListenAddress, with [Cluster] AdvertisedAddress as
          # HOST when the API listens on 0.0.0.0.
          RemoteUrl = ""
          # How often this silo reports its paths' capacity to the sector index.
          HeartbeatInterval = "10s"
          # A silo not heard from for this long has its paths marked unavailable (not offered for new sector
          # files, not fetched from). Use the same value on every silo.
          HeartbeatTimeout = "30s"

        [Proving]
          # WindowPoSt on mining silos (used when EnableMining = true); see docs/operations.md, "Proving".
          # Before each deadline every sector is checked: its sealed replica and cache opened, their sizes and
          # CommR checked, a few random nodes read and verified. A sector failing, or slower than the budget, is
          # declared faulty before the fault cutoff (and skipped by the proof if found at the deadline itself).
          #
          # Sector checks one silo runs at once.
          ParallelCheckLimit = 32
          # Longest one sector's check may take (lotus's default on mainnet: "10m").
          SingleCheckTimeout = "10s"
          # Longest one partition's checks may take together (lotus's default on mainnet: "20m").
          PartitionCheckTimeout = "20s"
          # Partitions per SubmitWindowedPoSt message; 0 = the chain's maximum (3).
          MaxPartitionsPerPoStMessage = 0

        [Retrieval]
          # Public HTTP retrieval on a markets silo (used when EnableMarkets = true): GET/HEAD /piece/{pieceCid}
          # (FRC-0066, with Range) and the trustless gateway /ipfs/{cid}?format=car|raw. A public gateway listens
          # on a public address, e.g. "/ip4/0.0.0.0/tcp/24002/http".
          ListenAddress = "/ip4/127.0.0.1/tcp/24002/http"
          # A piece whose sector has no unsealed copy left but a sealed replica is unsealed on demand on a sealing silo
          # (an Unseal task, as slow as PreCommit1); a retrieval waits this long for it, then answers 503 with
          # Retry-After while the unseal goes on (0s to 1h).
          UnsealTimeout = "3m0s"

        [Dealmaking]
          # How a markets silo accepts storage deals (used when EnableMarkets = true). A proposal that would exceed a
          # limit is refused with the reason, rather than accepted and then not sealed in time.
          #
          # Bytes of deal data that may wait in staging (reserved when a deal is accepted, released once its piece is in
          # a sector), e.g. "64GiB"; "0" = no limit.
          MaxStagingBytes = "64GiB"
          # Deals whose data may be transferring at once; 0 = no limit.
          MaxConcurrentTransfers = 20
          # Sectors that may be sealing for deals at once (lotus's key): the deal sectors from WaitDeals until Proving,
          # plus the sectors the deals accepted but not yet in a sector still need. A proposal that would go over it is
          # refused ("sealing capacity full"); 0 = no limit. Set it to what the sealing silos finish before the deals'
          # start epochs, e.g. their PreCommit1 slots times ExpectedSealDuration / the time one sector takes. With it set,
          # a deal must also start after the longest WaitDeals-to-Proving time of the last 3 deal sectors, if longer than
          # ExpectedSealDuration.
          MaxSealingSectorsForDeals = 0
          # Deals published together in one PublishStorageDeals message, and the longest a deal waits for others.
          MaxDealsPerPublishMsg = 8
          PublishMsgPeriod = "1m"
          # Epochs a deal's start epoch must be ahead of the current epoch (Boost's default is 480, 4 hours of 30 s
          # epochs; with the devnet's 4 s epochs 480 is 32 minutes).
          StartEpochSealingBuffer = 480
          # How long sealing a sector takes here; a deal that starts sooner is refused (lotus uses 24h on mainnet).
          ExpectedSealDuration = "1h"
          # Refuse transfer URLs on loopback, link-local and private addresses (SSRF guard); true allows them, e.g. for
          # a client on the same private network.
          AllowPrivateTransferUrls = false
          # The public multiaddr of the HTTP retrieval endpoint that /fil/retrieval/transports/1.0.0 lists, e.g.
          # "/dns/sp.example.com/tcp/443/https"; "" = [Retrieval] ListenAddress.
          HttpRetrievalMultiaddr = ""

        [Dashboard]
          # Admin HTTP endpoint: /healthz and the Orleans dashboard at /dashboard. It has no login:
          # keep it on 127.0.0.1 or a private network.
          ListenAddress = "127.0.0.1:8080"

        """;
}
