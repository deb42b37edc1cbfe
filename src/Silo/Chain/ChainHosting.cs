using Granary.Chain;
using Granary.Chain.Rpc;
using Granary.Grains.Miner;
using Granary.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Chain;

/// <summary>
/// The chain of a silo process: with <c>[Chain] ApiInfo</c> empty (the embedded default) a devnet on
/// <c>REPO/devnet.db</c> mining every <c>DevnetBlockDelaySeconds</c> in this process; otherwise a JSON-RPC client of
/// the node at <c>ApiInfo</c>. Either is the silo's <see cref="IChainNode"/> singleton, which grains get injected.
/// </summary>
public static class ChainHosting
{
    /// <summary>
    /// Registers <see cref="IChainNode"/> (opened by <see cref="Open"/> or first use, closed when the host is disposed), the repo's
    /// <see cref="IMinerKeys"/> and the start-up check that logs which chain is used.
    /// </summary>
    public static IServiceCollection AddGranaryChain(this IServiceCollection services, SiloIdentity identity)
    {
        services.AddSingleton<IChainNode>(sp => Connect(identity, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IMinerKeys>(new MinerKeys(identity.Repo));
        services.AddHostedService<ChainStartup>();
        return services;
    }

    /// <summary>
    /// Opens the chain of a built host before it starts, so a devnet that cannot be opened stops the start with its
    /// reason (one line) before Orleans or any listener runs.
    /// </summary>
    /// <exception cref="IOException">The embedded devnet cannot be opened.</exception>
    public static void Open(IServiceProvider services) => _ = services.GetRequiredService<IChainNode>();

    /// <summary>Opens the configured chain: the embedded devnet or a client of the remote node.</summary>
    /// <exception cref="IOException">The embedded devnet cannot be opened.</exception>
    public static IChainNode Connect(SiloIdentity identity, ILoggerFactory? loggers)
    {
        var chain = identity.Config.Chain;
        return chain.Embedded
            ? EmbeddedDevnet.Open(Path.Combine(identity.Repo.Root, EmbeddedDevnet.DatabaseFileName), chain.DevnetBlockDelaySeconds, loggers,
                "[Chain] DevnetBlockDelaySeconds")
            : ChainRpcClient.FromApiInfo(chain.ApiInfo);
    }
}
