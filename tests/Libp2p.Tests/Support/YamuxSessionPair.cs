using Granary.Libp2p.Yamux;

namespace Granary.Libp2p.Tests.Support;

/// <summary>A client (dialer) and a server (listener) yamux session over loopback TCP.</summary>
public sealed class YamuxSessionPair : IAsyncDisposable
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly YamuxTcpPair _tcp;

    private YamuxSessionPair(YamuxTcpPair tcp, YamuxOptions client, YamuxOptions server)
    {
        _tcp = tcp;
        Client = new YamuxSession(tcp.Dialer, isClient: true, client);
        Server = new YamuxSession(tcp.Listener, isClient: false, server);
    }

    public YamuxSession Client { get; }
    public YamuxSession Server { get; }

    /// <summary>Options without keepalive, so no PING shows up unless a test sends one.</summary>
    public static YamuxOptions Quiet { get; } = new() { KeepAliveInterval = TimeSpan.Zero };

    public static async Task<YamuxSessionPair> StartAsync(YamuxOptions? client = null, YamuxOptions? server = null) =>
        new(await YamuxTcpPair.ConnectAsync(), client ?? Quiet, server ?? Quiet);

    /// <summary>Opens a stream on <paramref name="opener"/> and accepts it on the other session.</summary>
    public async Task<(YamuxStream Opened, YamuxStream Accepted)> OpenAsync(YamuxSession opener)
    {
        var other = ReferenceEquals(opener, Client) ? Server : Client;
        var opened = await opener.OpenStreamAsync().AsTask().WaitAsync(Guard);
        var accepted = await other.AcceptStreamAsync().AsTask().WaitAsync(Guard);
        return (opened, accepted);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().AsTask().WaitAsync(Guard);
        await Server.DisposeAsync().AsTask().WaitAsync(Guard);
        _tcp.Dispose();
    }
}
