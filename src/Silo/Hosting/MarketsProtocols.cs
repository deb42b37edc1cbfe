using Granary.Chain;
using Granary.Gateway.Protocols;
using Granary.Grains.Pieces;
using Granary.Libp2p.Multiaddrs;
using Granary.Silo.Chain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Hosting;

/// <summary>
/// Serves the Boost-compatible markets protocols (deals, status, ask, retrieval query and transports) on the markets
/// silo's libp2p host once it runs; a silo without the markets subsystem serves none. Registered after
/// <see cref="MarketsLibp2p"/>, so it starts after the host and stops before it.
/// </summary>
public sealed class MarketsProtocols(SiloIdentity silo, MarketsLibp2p libp2p, IServiceProvider services, ILoggerFactory loggers) : IHostedService
{
    /// <summary>The handlers, once registered; null on a silo without the markets subsystem.</summary>
    public MarketsHandlers? Handlers { get; private set; }

    /// <summary>The miner the gateway takes deals for: the repo's <c>miner.json</c>, or empty when it has none.</summary>
    public static string Miner(SiloIdentity silo) => MinerFile.Read(silo.Repo.Root)?.Miner ?? "";

    /// <summary>Seconds per epoch: the embedded devnet's, or Filecoin's 30 s for a remote node.</summary>
    public static TimeSpan BlockDelay(SiloIdentity silo) =>
        TimeSpan.FromSeconds(silo.Config.Chain.Embedded ? silo.Config.Chain.DevnetBlockDelaySeconds : 30);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (libp2p.Host is not { } host)
        {
            return Task.CompletedTask;
        }

        var config = silo.Config;
        var retrieval = config.Dealmaking.HttpRetrievalMultiaddr.Length > 0 ? config.Dealmaking.HttpRetrievalMultiaddr : config.Retrieval.ListenAddress;
        var options = new MarketsHandlerOptions(Miner(silo), silo.SiloName, [Multiaddr.Parse(retrieval)]);
        var handlers = new MarketsHandlers(services.GetRequiredService<IGrainFactory>(), services.GetRequiredService<IChainNode>(), options,
            loggers.CreateLogger<MarketsHandlers>(), services.GetService<PieceBlockStore>());
        handlers.Register(host);
        Handlers = handlers;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (Handlers is not null && libp2p.Host is { } host)
        {
            MarketsHandlers.Unregister(host);
        }

        Handlers = null;
        return Task.CompletedTask;
    }
}
