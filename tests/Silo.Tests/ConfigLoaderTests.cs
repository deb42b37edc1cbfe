using Granary.Grains.Sealing.Workers;
using Granary.Silo.Configuration;

namespace Granary.Silo.Tests;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void The_commented_default_parses_to_the_embedded_default()
    {
        var config = ConfigLoader.Parse(DefaultConfigText.Text);

        Assert.Equal(GranaryConfig.Default.Subsystems, config.Subsystems);
        Assert.Equal(GranaryConfig.Default.Api, config.Api);
        Assert.Equal(GranaryConfig.Default.Cluster, config.Cluster);
        Assert.Equal(GranaryConfig.Default.Dashboard, config.Dashboard);
        Assert.Equal(GranaryConfig.Default.Libp2p.ListenAddresses, config.Libp2p.ListenAddresses);
        Assert.Equal(new HttpListenAddress("127.0.0.1", 2345), config.Api.Endpoint);
        Assert.Equal(new HttpListenAddress("127.0.0.1", 8080), config.Dashboard.Endpoint);
    }

    [Fact]
    public void An_empty_file_takes_every_default()
    {
        Assert.Equal(GranaryConfig.Default.Cluster, ConfigLoader.Parse("").Cluster);
    }

    [Fact]
    public void Settings_are_read()
    {
        var config = ConfigLoader.Parse("""
            [Subsystems]
            EnableMining = false
            EnableSealing = false
            EnableSectorStorage = false
            [Cluster]
            SiloPort = 22222
            GatewayPort = 30000
            AdvertisedAddress = "10.0.0.5"
            Database = "Host=db;Database=granary;Username=g"
            [Libp2p]
            ListenAddresses = ["/ip4/0.0.0.0/tcp/24001", "/ip6/::/tcp/24001"]
            AnnounceAddresses = ["/dns4/sp.example.com/tcp/24001"]
            """);

        Assert.Equal("Markets", config.Subsystems.ToSet().ToString());
        Assert.Equal(22222, config.Cluster.SiloPort);
        Assert.Equal(30000, config.Cluster.GatewayPort);
        Assert.Equal(Database.DatabaseKind.PostgreSql, Database.DatabaseTarget.Validate(config.Cluster.Database));
        Assert.Equal(2, config.Libp2p.ListenAddresses.Count);
    }

    [Theory]
    [InlineData("[Cluster]\nSiloPrt = 1\n", 2, "[Cluster] SiloPrt is not a known setting")]
    [InlineData("\n[Clustr]\nSiloPort = 1\n", 3, "[Clustr] is not a known section")]
    [InlineData("[Cluster]\n\nSiloPort = \"11111\"\n", 3, "[Cluster] SiloPort: expected an integer port, found a string (\"11111\")")]
    [InlineData("[Subsystems]\nEnableMining = 1\n", 2, "expected true or false, found an integer (1)")]
    [InlineData("[Cluster]\nSiloPort = 70000\n", 2, "is not a port")]
    [InlineData("[API]\nListenAddress = \"/ip4/127.0.0.1/tcp/2345\"\n", 2, "is not an HTTP listen multiaddr")]
    [InlineData("[API]\nListenAddress = \"/ip4/300.0.0.1/tcp/2345/http\"\n", 2, "bad ip4 address '300.0.0.1'")]
    [InlineData("[Libp2p]\nListenAddresses = [\"/ip4/0.0.0.0/tcp/99999\"]\n", 2, "bad tcp port '99999'")]
    [InlineData("[Libp2p]\nListenAddresses = [\"/ip4/0.0.0.0/quux/1\"]\n", 2, "unknown protocol 'quux'")]
    [InlineData("[Chain]\nApiInfo = \"nonsense token\"\n", 2, "is not an http(s) or ws(s) URL or a multiaddr")]
    [InlineData("[Chain]\nDevnetBlockDelaySeconds = 0\n", 2, "must be from 1 to 600")]
    [InlineData("[Sealing]\nCores = -1\n", 2, "[Sealing] Cores: must be from 0 to 1024")]
    [InlineData("[Sealing]\nMemory = \"64GB\"\n", 2, "use binary units (GiB)")]
    [InlineData("[Sealing]\n\nMemory = 1024\n", 3, "[Sealing] Memory: expected a string, found an integer (1024)")]
    [InlineData("[Sealing]\nGpuSlots = 65\n", 2, "[Sealing] GpuSlots: must be from 0 to 64")]
    [InlineData("[Sealing]\nScratchLostAfter = \"10s\"\n", 2, "must be from 1m to 720h")]
    [InlineData("[Sealing]\nScratchLostAfter = \"an hour\"\n", 2, "is not a duration")]
    [InlineData("[Sealing]\nScratchLostAfter = \"1d\"\n", 2, "unknown unit 'd'")]
    [InlineData("[Sealing]\nPreCommit1Cores = 0\n", 2, "[Sealing] PreCommit1Cores: must be from 1 to 1024")]
    [InlineData("[Sealing]\nPreCommitBatchSize = 0\n", 2, "[Sealing] PreCommitBatchSize: must be from 1 to 256")]
    [InlineData("[Sealing]\nCommitBatchSize = 257\n", 2, "[Sealing] CommitBatchSize: must be from 1 to 256")]
    [InlineData("[Sealing]\nPreCommitBatchWait = \"500ms\"\n", 2, "must be from 1s to 24h")]
    [InlineData("[Sealing]\nCommitBatchWait = 60\n", 2, "[Sealing] CommitBatchWait: expected a string, found an integer (60)")]
    [InlineData("[Sealing]\nRetryBackoff = \"2h\"\n", 2, "must be from 1s to 1h")]
    [InlineData("[Sealing]\nMaxRetryBackoff = \"soon\"\n", 2, "is not a duration")]
    [InlineData("[Sealing]\nPreCommit2Memory = \"0GiB\"\n", 2, "must be more than 0 bytes")]
    [InlineData("[Sealing]\nMaxParallelCommit2 = \"2\"\n", 2, "expected an integer, found a string")]
    [InlineData("[Sealing]\nMaxParallelPreCommit3 = 1\n", 2, "[Sealing] MaxParallelPreCommit3 is not a known setting")]
    [InlineData("[Chain]\nBlockDelay = 1\n", 2, "[Chain] BlockDelay is not a known setting")]
    [InlineData("[SectorStorage]\nRemoteUrl = \"ftp://10.0.0.1/remote\"\n", 2, "[SectorStorage] RemoteUrl: 'ftp://10.0.0.1/remote' must be an http(s) URL")]
    [InlineData("[SectorStorage]\nRemoteUrl = \"http://10.0.0.1:2345/remote/\"\n", 2, "without a trailing slash")]
    [InlineData("[SectorStorage]\nHeartbeatInterval = \"500ms\"\n", 2, "[SectorStorage] HeartbeatInterval: '500ms' must be from 1s to 1h")]
    [InlineData("[SectorStorage]\nHeartbeatTimeout = 30\n", 2, "[SectorStorage] HeartbeatTimeout: expected a string, found an integer (30)")]
    [InlineData("[SectorStorage]\nHeartbeatTimeout = \"5s\"\n", 2, "HeartbeatTimeout (5s) must be longer than HeartbeatInterval (10s)")]
    [InlineData("[SectorStorage]\nStoragePaths = []\n", 2, "[SectorStorage]")]
    [InlineData("[Libp2p]\nListenAddresses = \"/ip4/0.0.0.0/tcp/1\"\n", 2, "expected an array of strings, found a string")]
    [InlineData("[Dashboard]\nListenAddress = \"127.0.0.1\"\n", 2, "is not HOST:PORT")]
    [InlineData("[Cluster]\nAdvertisedAddress = \"0.0.0.0\"\n", 2, "must be the IP address other silos dial")]
    [InlineData("[Cluster]\nDatabase = \"sqlite:\"\n", 2, "needs a file path")]
    [InlineData("[Cluster]\nDatabase = \"nonsense\"\n", 2, "neither sqlite:PATH nor a PostgreSQL connection string")]
    [InlineData("[Cluster]\nClusterId = \"a b\"\n", 2, "must be 1-150 characters")]
    [InlineData("[Cluster]\nSiloPort = 1\nSiloPort = 2\n", 3, "already defined")]
    [InlineData("SiloPort = 1\n", 1, "is outside any section")]
    [InlineData("[Subsystems]\nEnableMining = false\nEnableSealing = false\nEnableSectorStorage = false\nEnableMarkets = false\n", 1, "enables nothing")]
    [InlineData("[Cluster]\nSiloPort = 8080\n", 2, "port 8080 is already used by the admin HTTP endpoint")]
    [InlineData("[API]\nListenAddress = \"/ip4/127.0.0.1/tcp/24001/http\"\n", 2, "port 24001")]
    [InlineData("[Cluster\nSiloPort = 1\n", 1, "TOML syntax")]
    public void Bad_settings_are_refused_with_line_and_message(string text, int line, string message)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, "my.toml"));

        var problem = error.Problems.First(p => p.Message.Contains(message, StringComparison.Ordinal));
        Assert.Equal(line, problem.Line);
        Assert.StartsWith($"my.toml:{line}: ", problem.ToString());
    }

    [Fact]
    public void Sealing_settings_are_read()
    {
        var sealing = ConfigLoader.Parse("""
            [Sealing]
            Cores = 8
            Memory = "96GiB"
            GpuSlots = 1
            ScratchLostAfter = "2h30m"
            MaxParallelPreCommit1 = 2
            PreCommit1Cores = 1
            PreCommit1Memory = "1.5GiB"
            Commit2GpuSlots = 0
            """).Sealing;

        Assert.Equal((8, 96L << 30, 1, TimeSpan.FromMinutes(150)), (sealing.Cores, sealing.Memory, sealing.GpuSlots, sealing.ScratchLostAfter));
        Assert.Equal(
            [new(SealingTaskType.PreCommit1, 2, 1, 3L << 29, null), new(SealingTaskType.Commit2, 0, null, null, 0)],
            sealing.Tasks);
        var options = sealing.ToOptions();
        Assert.Equal((8, 96L << 30, 1), (options.EffectiveCores, options.EffectiveMemory, options.GpuSlots));
        Assert.Equal(GranaryConfig.Default.Sealing, ConfigLoader.Parse(DefaultConfigText.Text).Sealing);
        Assert.Equal(SealingPipelineConfig.Default, ConfigLoader.Parse(DefaultConfigText.Text).Sealing.Pipeline);
        var pipeline = ConfigLoader.Parse("[Sealing]\nPreCommitBatchSize = 3\nCommitBatchWait = \"90s\"\nMaxRetryBackoff = \"1h\"\n").Sealing.Pipeline;
        Assert.Equal((3, TimeSpan.FromSeconds(90), TimeSpan.FromHours(1)), (pipeline.PreCommitBatchSize, pipeline.CommitBatchWait, pipeline.MaxRetryBackoff));
        Assert.Equal(3, pipeline.ToOptions(4).PreCommitBatchSize);
        Assert.Equal(0, GranaryConfig.Default.Sealing.Cores);
        Assert.Equal(Environment.ProcessorCount, GranaryConfig.Default.Sealing.ToOptions().EffectiveCores);
    }

    [Fact]
    public void Sector_storage_settings_are_read()
    {
        var storage = ConfigLoader.Parse("""
            [SectorStorage]
            RemoteUrl = "http://10.0.2.11:2345/remote"
            HeartbeatInterval = "5s"
            HeartbeatTimeout = "1m"
            """).SectorStorage;

        Assert.Equal(new SectorStorageConfig("http://10.0.2.11:2345/remote", TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1)), storage);
        Assert.Equal(GranaryConfig.Default.SectorStorage, ConfigLoader.Parse(DefaultConfigText.Text).SectorStorage);
        Assert.Equal(new SectorStorageConfig("", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)), GranaryConfig.Default.SectorStorage);
    }

    [Fact]
    public void Dealmaking_settings_are_read()
    {
        var dealmaking = ConfigLoader.Parse("""
            [Dealmaking]
            MaxStagingBytes = "1.5TiB"
            MaxConcurrentTransfers = 0
            MaxDealsPerPublishMsg = 32
            PublishMsgPeriod = "1h"
            StartEpochSealingBuffer = 2880
            ExpectedSealDuration = "24h"
            AllowPrivateTransferUrls = true
            HttpRetrievalMultiaddr = "/dns/sp.example.com/tcp/443/https"
            """).Dealmaking;

        Assert.Equal(new DealmakingConfig(3L << 39, 0, 32, TimeSpan.FromHours(1), 2880, TimeSpan.FromHours(24), true, "/dns/sp.example.com/tcp/443/https"),
            dealmaking);
        Assert.Equal(0, ConfigLoader.Parse("[Dealmaking]\nMaxStagingBytes = \"0\"\n").Dealmaking.MaxStagingBytes);
        Assert.Equal(GranaryConfig.Default.Dealmaking, ConfigLoader.Parse(DefaultConfigText.Text).Dealmaking);
        Assert.Equal(GranaryConfig.Default.Dealmaking, ConfigLoader.Parse("").Dealmaking);

        var options = new Granary.Grains.Deals.DealmakingOptions();
        dealmaking.Configure(options, "t01000", TimeSpan.FromSeconds(4));
        Assert.Equal(("t01000", 3L << 39, 2880L, true, 21_600L), (options.Miner, options.MaxStagingBytes, options.StartEpochSealingBuffer,
            options.AllowPrivateTransferUrls, options.ExpectedSealEpochs));
    }

    [Theory]
    [InlineData("[Dealmaking]\nMaxStagingBytes = \"64GB\"\n", 2, "[Dealmaking] MaxStagingBytes: '64GB': use binary units (GiB)")]
    [InlineData("[Dealmaking]\nMaxStagingBytes = 1024\n", 2, "[Dealmaking] MaxStagingBytes: expected a string, found an integer (1024)")]
    [InlineData("[Dealmaking]\nMaxConcurrentTransfers = -1\n", 2, "[Dealmaking] MaxConcurrentTransfers: must be from 0 to 100000")]
    [InlineData("[Dealmaking]\nMaxDealsPerPublishMsg = 0\n", 2, "[Dealmaking] MaxDealsPerPublishMsg: must be from 1 to 256")]
    [InlineData("[Dealmaking]\nPublishMsgPeriod = \"soon\"\n", 2, "[Dealmaking] PublishMsgPeriod: 'soon' is not a duration")]
    [InlineData("[Dealmaking]\nExpectedSealDuration = \"1000h\"\n", 2, "[Dealmaking] ExpectedSealDuration: '1000h' must be from 0s to 720h")]
    [InlineData("[Dealmaking]\nStartEpochSealingBuffer = 100000\n", 2, "[Dealmaking] StartEpochSealingBuffer: must be from 0 to 86400")]
    [InlineData("[Dealmaking]\nAllowPrivateTransferUrls = \"yes\"\n", 2, "expected true or false, found a string")]
    [InlineData("[Dealmaking]\nHttpRetrievalMultiaddr = \"/ip4/1.2.3.4/tcp/80\"\n", 2, "must be a multiaddr ending in /http or /https")]
    [InlineData("[Dealmaking]\nMaxStagingDealsBytes = \"1GiB\"\n", 2, "[Dealmaking] MaxStagingDealsBytes is not a known setting")]
    public void Bad_dealmaking_settings_are_refused_with_line_and_message(string text, int line, string message)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(line, problem.Line);
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void The_retrieval_listen_address_is_read()
    {
        var retrieval = ConfigLoader.Parse("[Retrieval]\nListenAddress = \"/ip4/0.0.0.0/tcp/8443/http\"\n").Retrieval;

        Assert.Equal(new HttpListenAddress("0.0.0.0", 8443), retrieval.Endpoint);
        Assert.Equal(GranaryConfig.Default.Retrieval, ConfigLoader.Parse(DefaultConfigText.Text).Retrieval);
        Assert.Equal(new HttpListenAddress("127.0.0.1", 24002), GranaryConfig.Default.Retrieval.Endpoint);
        // Without the markets subsystem there is no retrieval listener, so its port clashes with nothing.
        Assert.Equal(2345, ConfigLoader.Parse("[Subsystems]\nEnableMarkets = false\n[Retrieval]\nListenAddress = \"/ip4/127.0.0.1/tcp/2345/http\"\n")
            .Retrieval.Endpoint.Port);
    }

    [Theory]
    [InlineData("[Retrieval]\nListenAddress = \"/ip4/127.0.0.1/tcp/24002\"\n", 2, "[Retrieval] ListenAddress: '/ip4/127.0.0.1/tcp/24002' is not an HTTP listen multiaddr")]
    [InlineData("[Retrieval]\nListenAddress = 24002\n", 2, "[Retrieval] ListenAddress: expected a string, found an integer (24002)")]
    [InlineData("[Retrieval]\nListenAddress = \"/ip4/127.0.0.1/tcp/2345/http\"\n", 2, "port 2345 is already used by the JSON-RPC API")]
    [InlineData("[Retrieval]\nMaxRequests = 5\n", 2, "[Retrieval] MaxRequests is not a known setting")]
    public void Bad_retrieval_settings_are_refused_with_line_and_message(string text, int line, string message)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(line, problem.Line);
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("[Cluster]\nSiloPort = true\nFoo = 1\n[Bar]\n"));

        Assert.Equal(2, error.Problems.Count);
    }

    [Fact]
    public void Oversized_files_are_refused_before_parsing()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(new string('#', ConfigLoader.MaxFileBytes + 1)));

        Assert.Contains("larger than", error.Message);
    }

    [Fact]
    public void A_missing_file_says_so()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/config.toml"));

        Assert.Contains("file not found", error.Message);
    }
}
