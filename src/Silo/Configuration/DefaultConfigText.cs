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

        [Dashboard]
          # Admin HTTP endpoint: /healthz and the Orleans dashboard at /dashboard. It has no login:
          # keep it on 127.0.0.1 or a private network.
          ListenAddress = "127.0.0.1:8080"

        """;
}
