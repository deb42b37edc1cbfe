using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Hosting;

/// <summary>
/// The libp2p host of a silo with <c>EnableMarkets</c>: listens on <c>[Libp2p] ListenAddresses</c> with the repo's
/// persistent identity and serves identify and ping; the markets protocols register their handlers on it.
/// Silos without the markets subsystem run no libp2p at all (they are private).
/// </summary>
public sealed class MarketsLibp2p(SiloIdentity silo, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    /// <summary>The running host; null on a silo without the markets subsystem or before start.</summary>
    public Libp2pHost? Host { get; private set; }

    /// <summary>This silo's libp2p peer id (from the repo keystore), whether or not the host runs.</summary>
    public PeerId PeerId { get; } = silo.Repo.Libp2pIdentity().PeerId;

    /// <summary>Starts listening when the markets subsystem is enabled.</summary>
    /// <exception cref="IOException">A listen address could not be bound, with which and why.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var config = silo.Config;
        if (!config.Subsystems.EnableMarkets)
        {
            return;
        }

        var options = new Libp2pHostOptions
        {
            AgentVersion = SiloIdentity.Version,
            AnnounceAddresses = [.. config.Libp2p.AnnounceAddresses.Select(Multiaddr.Parse)],
        };
        var host = new Libp2pHost(silo.Repo.Libp2pIdentity(), options, loggers);
        try
        {
            await host.StartAsync(config.Libp2p.ListenAddresses.Select(Multiaddr.Parse), cancellationToken);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await host.DisposeAsync();
            throw new IOException($"[Libp2p] ListenAddresses {string.Join(", ", config.Libp2p.ListenAddresses)}: cannot listen ({e.Message})", e);
        }

        Host = host;
    }

    /// <summary>Closes every libp2p connection and stops listening.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Host is { } host)
        {
            Host = null;
            await host.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
