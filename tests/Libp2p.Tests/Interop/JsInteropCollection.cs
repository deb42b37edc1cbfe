using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Microsoft.Extensions.Logging;

namespace Granary.Libp2p.Tests.Interop;

/// <summary>
/// The interop test classes share one js node (starting Node costs about a second of CPU on the 2-core machine), so
/// they run one at a time. Each test makes its own C# host: a fresh peer id, so js never reuses a connection another
/// test opened.
/// </summary>
[CollectionDefinition(Name)]
public sealed class JsInteropCollection : ICollectionFixture<JsPeerFixture>
{
    public const string Name = "js-libp2p interop";
}

/// <summary>One js-libp2p peer (peer.mjs, listening on 127.0.0.1 and ::1) for the whole interop collection.</summary>
public sealed class JsPeerFixture : IAsyncLifetime
{
    private JsPeer? _peer;

    internal JsPeer Js => _peer ?? throw new InvalidOperationException("the js peer did not start");

    public async Task InitializeAsync() => _peer = await JsPeer.StartAsync(listen6: true);

    public async Task DisposeAsync()
    {
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
    }
}

/// <summary>Helpers of the interop tests.</summary>
internal static class JsInterop
{
    public const string Sink = "/sink/1.0.0";

    /// <summary>A C# host on 127.0.0.1 and ::1 serving /echo/1.0.0 (HostTestKit's echo) and /sink/1.0.0.</summary>
    public static async Task<Libp2pHost> StartHostAsync(Libp2pHostOptions? options = null, ILoggerFactory? logs = null)
    {
        var host = new Libp2pHost(Identity.Generate(), options ?? HostTestKit.Quiet, logs);
        host.SetHandler(HostTestKit.Echo, HostTestKit.EchoAsync);
        host.SetHandler(Sink, SinkAsync);
        await host.StartAsync([Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), Multiaddr.Parse("/ip6/::1/tcp/0")]).WaitAsync(HostTestKit.Guard);
        return host;
    }

    /// <summary>Our address of the given family, with /p2p/, as text for a js command.</summary>
    public static string Address(this Libp2pHost host, bool ipv6 = false) =>
        host.ListenAddresses
            .First(a => a.ToString().StartsWith(ipv6 ? "/ip6/" : "/ip4/", StringComparison.Ordinal))
            .WithPeerIdMultihash(host.PeerId.Multihash.Span)
            .ToString();

    /// <summary>/sink/1.0.0: counts bytes until FIN, answers the count as an ASCII decimal line, then FIN.</summary>
    public static async Task SinkAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long count = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            count += n;
        }

        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{count}\n"), cancellationToken);
        await stream.CloseWriteAsync();
    }

    /// <summary>Random bytes from a fixed seed.</summary>
    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
