namespace Granary.Silo.Tests.Support;

/// <summary>Writes a config.toml on free loopback ports into a repo directory.</summary>
/// <param name="Chain">Lines of the [Chain] section (e.g. <c>DevnetBlockDelaySeconds = 1</c>); empty for the defaults.</param>
public sealed record TestConfig(int ApiPort, int DashboardPort, int SiloPort, int Libp2pPort, string Database, string Subsystems = "", string Chain = "")
{
    public static TestConfig OnFreePorts(string database = "sqlite:granary.db", string subsystems = "", string chain = "")
    {
        var p = FreePorts.Take(4);
        return new TestConfig(p[0], p[1], p[2], p[3], database, subsystems, chain);
    }

    /// <summary>The markets silo's HTTP retrieval port ([Retrieval]), so that silos started in parallel don't share the default
    /// (unless <see cref="Chain"/> carries its own [Retrieval] section).</summary>
    public int RetrievalPort { get; init; } = FreePorts.Take(1)[0];

    public string Text => $"""
        [Subsystems]
        {Subsystems}
        [API]
        ListenAddress = "/ip4/127.0.0.1/tcp/{ApiPort}/http"
        [Libp2p]
        ListenAddresses = ["/ip4/127.0.0.1/tcp/{Libp2pPort}"]
        [Cluster]
        SiloPort = {SiloPort}
        Database = "{Database.Replace("\"", "\\\"")}"
        [Dashboard]
        ListenAddress = "127.0.0.1:{DashboardPort}"
        [Chain]
        {Chain}
        {(Chain.Contains("[Retrieval]", StringComparison.Ordinal) ? "" : $"[Retrieval]\nListenAddress = \"/ip4/127.0.0.1/tcp/{RetrievalPort}/http\"")}
        """;

    public void WriteTo(string repo)
    {
        Directory.CreateDirectory(repo);
        File.WriteAllText(System.IO.Path.Combine(repo, "config.toml"), Text);
    }
}
