namespace Granary.Silo.Tests.Support;

/// <summary>
/// A real <c>granary devnet run</c> process on a free loopback port, with what it printed at start:
/// <c>FULLNODE_API_INFO=TOKEN:MULTIADDR</c> and <c>DEVNET_FAUCET=ADDRESS</c>.
/// </summary>
public sealed class DevnetProcess : IAsyncDisposable
{
    private DevnetProcess(GranaryProcess process, string repo, int port, string token, string faucet)
    {
        Process = process;
        Repo = repo;
        Port = port;
        Token = token;
        Faucet = faucet;
    }

    public GranaryProcess Process { get; }

    public string Repo { get; }

    public int Port { get; }

    /// <summary>The admin token it printed.</summary>
    public string Token { get; }

    /// <summary>The faucet address it printed.</summary>
    public string Faucet { get; }

    /// <summary>TOKEN:MULTIADDR, as [Chain] ApiInfo takes it.</summary>
    public string ApiInfo => $"{Token}:{Multiaddr}";

    public string Multiaddr => $"/ip4/127.0.0.1/tcp/{Port}/http";

    public Uri Url(string version = "v1") => new($"http://127.0.0.1:{Port}/rpc/{version}");

    /// <summary>Starts the devnet on <paramref name="repo"/> and waits for its start lines.</summary>
    public static async Task<DevnetProcess> StartAsync(string repo, int blockDelaySeconds = 1, int? port = null)
    {
        var chosen = port ?? FreePorts.Take(1)[0];
        var process = GranaryProcess.Start(["devnet", "run", "--repo", repo, "--listen", $"/ip4/127.0.0.1/tcp/{chosen}/http", "--block-delay", $"{blockDelaySeconds}"]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var lines = process.Output.Split('\n', StringSplitOptions.TrimEntries);
            var info = lines.FirstOrDefault(l => l.StartsWith("FULLNODE_API_INFO=", StringComparison.Ordinal));
            var faucet = lines.FirstOrDefault(l => l.StartsWith("DEVNET_FAUCET=", StringComparison.Ordinal));
            if (info is not null && faucet is not null)
            {
                var value = info["FULLNODE_API_INFO=".Length..];
                return new DevnetProcess(process, repo, chosen, value[..value.IndexOf(':', StringComparison.Ordinal)], faucet["DEVNET_FAUCET=".Length..]);
            }

            if (process.HasExited)
            {
                var output = process.Output;
                await process.DisposeAsync();
                throw new InvalidOperationException($"granary devnet run exited with {process.ExitCode}:\n{output}");
            }

            await Task.Delay(100); // polling interval while the process starts
        }

        await process.DisposeAsync();
        throw new TimeoutException($"granary devnet run did not start:\n{process.Output}");
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
