using Granary.Libp2p.Yamux;

namespace Granary.Libp2p.Tests.Support;

/// <summary>One of our sessions on one end of loopback TCP and a <see cref="YamuxRawPeer"/> on the other.</summary>
public sealed class YamuxRawSession : IAsyncDisposable
{
    private readonly YamuxTcpPair _tcp;

    private YamuxRawSession(YamuxTcpPair tcp, bool sessionIsClient, YamuxOptions options)
    {
        _tcp = tcp;
        Session = sessionIsClient
            ? new YamuxSession(tcp.Dialer, isClient: true, options)
            : new YamuxSession(tcp.Listener, isClient: false, options);
        Raw = sessionIsClient ? new YamuxRawPeer(tcp.ListenerSocket, tcp.Listener) : new YamuxRawPeer(tcp.DialerSocket, tcp.Dialer);
    }

    public YamuxSession Session { get; }
    public YamuxRawPeer Raw { get; }

    /// <param name="sessionIsClient">True: the session dials (odd ids) and the raw peer listens (even ids).</param>
    public static async Task<YamuxRawSession> StartAsync(bool sessionIsClient, YamuxOptions? options = null) =>
        new(await YamuxTcpPair.ConnectAsync(), sessionIsClient, options ?? YamuxSessionPair.Quiet);

    /// <summary>The session's Completion exception, which must come within the guard.</summary>
    public async Task<Exception?> EndAsync()
    {
        try
        {
            await Session.Completion.WaitAsync(YamuxSessionPair.Guard);
            return null;
        }
        catch (TimeoutException ex)
        {
            throw new Xunit.Sdk.XunitException("session did not end: " + ex.Message);
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync().AsTask().WaitAsync(YamuxSessionPair.Guard);
        _tcp.Dispose();
    }
}
