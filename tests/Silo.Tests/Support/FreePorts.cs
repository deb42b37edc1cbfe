using System.Net;
using System.Net.Sockets;

namespace Granary.Silo.Tests.Support;

/// <summary>
/// Loopback TCP ports nobody is listening on, for the configs of silo and devnet processes the tests start.
/// </summary>
/// <remarks>
/// Not asked from the OS with port 0: those come from the ephemeral range (32768–60999 on Linux), which every outgoing
/// connection and every in-process listener of the other test assemblies running in parallel also draws from, so a port
/// released here could be taken again before the child process binds it (seen in CI: "address already in use"). These
/// ports come from 26000–32767 instead — below the ephemeral range and above Granary's default ports (2345, 8080,
/// 11111, 24001) — each handed out once per test process, and checked free by binding it.
/// </remarks>
public static class FreePorts
{
    private const int First = 26000;
    private const int Last = 32767;
    private static int _next = First + Random.Shared.Next(Last - First);
    private static readonly Lock Gate = new();

    public static int[] Take(int count)
    {
        var ports = new int[count];
        lock (Gate)
        {
            for (var i = 0; i < count; i++)
            {
                ports[i] = NextFree();
            }
        }

        return ports;
    }

    private static int NextFree()
    {
        for (var tries = 0; tries <= Last - First; tries++)
        {
            var port = _next;
            _next = _next >= Last ? First : _next + 1;
            try
            {
                var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                probe.Stop();
                return port;
            }
            catch (SocketException)
            {
                // in use: try the next one
            }
        }

        throw new InvalidOperationException($"no free loopback port in {First}-{Last}");
    }
}
