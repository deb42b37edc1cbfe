using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Granary.Libp2p.Noise;
using Granary.Libp2p.Peers;
using Granary.Libp2p.Yamux;

namespace Granary.Bench.Libp2p;

/// <summary>
/// Where the time of one C#→C# stream goes: the same push through each layer of the stack on its own — loopback
/// TCP, Noise over TCP, yamux over Noise (no multistream, no host) — and the ChaCha20-Poly1305 ceiling.
/// </summary>
internal static class Layers
{
    /// <summary>Largest Noise transport plaintext per frame (65535 - 16-byte tag).</summary>
    public const int NoiseFrame = 65519;

    /// <summary>BCL ChaCha20Poly1305: seal then open one 65519-byte frame, repeatedly, on this thread; plaintext MiB/s.</summary>
    public static double CryptoCeiling(TimeSpan duration)
    {
        using var aead = new ChaCha20Poly1305(RandomNumberGenerator.GetBytes(32));
        var plain = RandomNumberGenerator.GetBytes(NoiseFrame);
        var cipher = new byte[NoiseFrame];
        var opened = new byte[NoiseFrame];
        var tag = new byte[16];
        var nonce = new byte[12];
        long frames = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            BitConverter.TryWriteBytes(nonce.AsSpan(4), frames);
            aead.Encrypt(nonce, plain, cipher, tag);
            aead.Decrypt(nonce, cipher, tag, opened);
            frames++;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        return opened.AsSpan().SequenceEqual(plain) ? frames * NoiseFrame / HostBench.MiB / seconds : throw new InvalidOperationException("open returned other bytes");
    }

    public static async Task<double> TcpAsync(long total, int chunk)
    {
        var (client, server) = await SocketPairAsync();
        await using var a = new NetworkStream(client, ownsSocket: true);
        await using var b = new NetworkStream(server, ownsSocket: true);
        return await PushAsync(a, b, total, chunk);
    }

    public static async Task<double> NoiseAsync(long total, int chunk)
    {
        var (client, server) = await SocketPairAsync();
        var (initiator, responder) = await HandshakeAsync(client, server);
        await using var a = initiator.Stream;
        await using var b = responder.Stream;
        return await PushAsync(a, b, total, chunk);
    }

    public static async Task<double> YamuxOverNoiseAsync(long total, int chunk)
    {
        var (client, server) = await SocketPairAsync();
        var (initiator, responder) = await HandshakeAsync(client, server);
        await using var dialer = new YamuxSession(initiator.Stream, isClient: true, YamuxOptions.Default);
        await using var listener = new YamuxSession(responder.Stream, isClient: false, YamuxOptions.Default);
        var accepted = listener.AcceptStreamAsync().AsTask();
        await using var a = await dialer.OpenStreamAsync();

        // The SYN goes out with the first write.
        await a.WriteAsync(new byte[1]);
        await using var b = await accepted;
        await b.ReadExactlyAsync(new byte[1]);
        return await PushAsync(a, b, total, chunk);
    }

    // The sender writes `total` bytes; the receiver counts them and answers one byte; MiB/s over the whole exchange.
    private static async Task<double> PushAsync(Stream sender, Stream receiver, long total, int chunk)
    {
        var data = RandomNumberGenerator.GetBytes(chunk);
        var watch = Stopwatch.StartNew();
        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[256 * 1024];
            long count = 0;
            while (count < total)
            {
                var n = await receiver.ReadAsync(buffer);
                count += n > 0 ? n : throw new EndOfStreamException($"ended after {count} of {total} bytes");
            }

            await receiver.WriteAsync(new byte[] { 1 });
            await receiver.FlushAsync();
        });
        for (long sent = 0; sent < total;)
        {
            var n = (int)Math.Min(chunk, total - sent);
            await sender.WriteAsync(data.AsMemory(0, n));
            sent += n;
        }

        await sender.FlushAsync();
        await receiving;
        var ack = new byte[1];
        await sender.ReadExactlyAsync(ack);
        return total / HostBench.MiB / watch.Elapsed.TotalSeconds;
    }

    private static async Task<(NoiseSession Initiator, NoiseSession Responder)> HandshakeAsync(Socket client, Socket server)
    {
        var a = Identity.Generate();
        var b = Identity.Generate();
        var initiator = NoiseHandshake.SecureOutboundAsync(new NetworkStream(client, ownsSocket: true), a, b.PeerId, [], CancellationToken.None);
        var responder = NoiseHandshake.SecureInboundAsync(new NetworkStream(server, ownsSocket: true), b, [], CancellationToken.None);
        return (await initiator, await responder);
    }

    private static async Task<(Socket Client, Socket Server)> SocketPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accepting = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await accepting;
        server.NoDelay = true;
        return (client, server);
    }
}
