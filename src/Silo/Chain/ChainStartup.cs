using Granary.Chain;
using Granary.Chain.Devnet;
using Granary.Chain.Rpc;
using Granary.Silo.Database;
using Granary.Silo.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Chain;

/// <summary>
/// Opens the silo's chain when the host starts (so a devnet that cannot be opened stops the start with its reason)
/// and says which chain it is. Warns when silos of a PostgreSQL cluster would each run their own embedded devnet:
/// they must share one chain. A remote node that does not answer yet is only warned about; the miner's calls
/// report it when they need it.
/// </summary>
internal sealed partial class ChainStartup(IChainNode chain, SiloIdentity identity, ILogger<ChainStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (chain is DevnetNode devnet)
        {
            var head = await chain.ChainHead(cancellationToken);
            LogEmbedded(Path.Combine(identity.Repo.Root, EmbeddedDevnet.DatabaseFileName), head.Height, devnet.Policy.BlockDelaySeconds,
                devnet.FaucetAddress.ToString('t'));
            if (identity.Database.Kind == DatabaseKind.PostgreSql)
            {
                LogEmbeddedInCluster();
            }

            return;
        }

        var endpoint = chain is ChainRpcClient client ? client.Endpoint.ToString() : chain.GetType().Name;
        try
        {
            var head = await chain.ChainHead(cancellationToken);
            LogRemote(endpoint, head.Height);
        }
        catch (ChainException e)
        {
            LogRemoteUnavailable(endpoint, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "chain: embedded devnet {Path} at height {Height}, a block every {BlockDelay} s (faucet {Faucet})")]
    private partial void LogEmbedded(string path, long height, int blockDelay, string faucet);

    [LoggerMessage(Level = LogLevel.Warning, Message = "chain: this silo runs its own embedded devnet but the cluster database is PostgreSQL; "
        + "silos of one cluster must share one chain: run `granary devnet run` once and set [Chain] ApiInfo on every silo")]
    private partial void LogEmbeddedInCluster();

    [LoggerMessage(Level = LogLevel.Information, Message = "chain: JSON-RPC node {Endpoint} at height {Height}")]
    private partial void LogRemote(string endpoint, long height);

    [LoggerMessage(Level = LogLevel.Warning, Message = "chain: JSON-RPC node {Endpoint} does not answer yet: {Reason}")]
    private partial void LogRemoteUnavailable(string endpoint, string reason);
}
