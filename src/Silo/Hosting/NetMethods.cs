using Granary.Libp2p;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Silo.Api;

namespace Granary.Silo.Hosting;

/// <summary>lotus-miner's <c>Net*</c> and <c>ID</c> API methods, answered by this silo's libp2p host.</summary>
internal static class NetMethods
{
    public static IEnumerable<RpcMethod> Create(MarketsLibp2p libp2p) =>
    [
        new("Filecoin.ID", Permission.Read, (_, _) => Task.FromResult<object?>(Running(libp2p).PeerId.ToString())),
        new("Filecoin.NetAddrsListen", Permission.Read, (_, _) =>
        {
            var host = Running(libp2p);
            return Task.FromResult<object?>(new { ID = host.PeerId.ToString(), Addrs = host.AdvertisedAddresses.Select(a => a.ToString()).ToArray() });
        }),
        new("Filecoin.NetPeers", Permission.Read, (_, _) => Task.FromResult<object?>(Running(libp2p).Connections
            .GroupBy(c => c.RemotePeer)
            .Select(g => new { ID = g.Key.ToString(), Addrs = g.Select(c => c.RemoteAddress.Decapsulate("p2p").ToString()).Distinct().ToArray() })
            .ToArray())),
        new("Filecoin.NetConnect", Permission.Write, async (p, ct) =>
        {
            var host = Running(libp2p);
            var address = Address(p.Get<string>(0, "addr"));
            var connection = await Guard(() => host.DialAsync(address, ct));
            var info = await Guard(() => host.IdentifyAsync(connection.RemotePeer, ct));
            return new { ID = connection.RemotePeer.ToString(), info.AgentVersion, info.Protocols };
        }),
        new("Filecoin.NetPing", Permission.Read, async (p, ct) =>
        {
            var host = Running(libp2p);
            var address = Address(p.Get<string>(0, "addr"));
            var rtt = await Guard(() => host.PingAsync(address, ct));
            return new { RttMs = rtt.TotalMilliseconds };
        }),
    ];

    private static Multiaddr Address(string text) => Multiaddr.TryParse(text, out var address) && address!.PeerId is not null
        ? address
        : throw new RpcException(RpcException.InvalidParams, $"'{text}' is not a multiaddr ending in /p2p/PEERID");

    // Dial failures are the caller's answer (refused, timed out, wrong peer), not a server fault.
    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is Libp2pProtocolException or IOException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new RpcException(RpcException.MethodError, e.Message);
        }
    }

    // libp2p runs only where the markets subsystem does; a private silo says where to ask instead.
    private static Libp2pHost Running(MarketsLibp2p libp2p) => libp2p.Host
        ?? throw new RpcException(RpcException.MethodError,
            "this silo runs no libp2p host ([Subsystems] EnableMarkets = false); ask a markets silo (MARKETS_API_INFO)");
}
