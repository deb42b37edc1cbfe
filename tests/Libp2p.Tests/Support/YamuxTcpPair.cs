using System.Net;
using System.Net.Sockets;

namespace Granary.Libp2p.Tests.Support;

/// <summary>Two ends of one loopback TCP connection (the dialer's and the listener's).</summary>
public sealed class YamuxTcpPair : IDisposable
{
    private YamuxTcpPair(Socket dialer, Socket listener)
    {
        DialerSocket = dialer;
        ListenerSocket = listener;
        Dialer = new NetworkStream(dialer, ownsSocket: true);
        Listener = new NetworkStream(listener, ownsSocket: true);
    }

    public Socket DialerSocket { get; }
    public Socket ListenerSocket { get; }
    public NetworkStream Dialer { get; }
    public NetworkStream Listener { get; }

    public static async Task<YamuxTcpPair> ConnectAsync()
    {
        var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        try
        {
            var dialer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var accept = server.AcceptSocketAsync();
            await dialer.ConnectAsync((IPEndPoint)server.LocalEndpoint);
            var listener = await accept;
            listener.NoDelay = true;
            return new YamuxTcpPair(dialer, listener);
        }
        finally
        {
            server.Stop();
        }
    }

    public void Dispose()
    {
        Dialer.Dispose();
        Listener.Dispose();
    }
}
