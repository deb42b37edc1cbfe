using System.Collections.Concurrent;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Microsoft.Extensions.Logging;

namespace Granary.Libp2p.Tests;

/// <summary>
/// Shared helpers of the host tests (no tests of its own; the file name follows the Host*Tests.cs pattern of the
/// files these tests own). Every await in the host tests goes through <see cref="Guarded{T}"/> so nothing hangs.
/// </summary>
internal static class HostTestKit
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    public const string Echo = "/echo/1.0.0";

    public static Task<T> Guarded<T>(this Task<T> task) => task.WaitAsync(Guard);

    public static Task Guarded(this Task task) => task.WaitAsync(Guard);

    public static Task<T> Guarded<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Guard);

    public static Task Guarded(this ValueTask task) => task.AsTask().WaitAsync(Guard);

    /// <summary>A started host listening on <paramref name="listen"/> (loopback IPv4 by default) with an echo handler.</summary>
    public static async Task<Libp2pHost> StartAsync(Libp2pHostOptions? options = null, string listen = "/ip4/127.0.0.1/tcp/0", ILoggerFactory? logs = null, Identity? identity = null)
    {
        var host = new Libp2pHost(identity ?? Identity.Generate(), options ?? Quiet, logs);
        host.SetHandler(Echo, EchoAsync);
        await host.StartAsync([Multiaddr.Parse(listen)]).Guarded();
        return host;
    }

    /// <summary>Test defaults: the production ones, with the idle timeout off so slow CI cannot close a connection mid-test.</summary>
    public static Libp2pHostOptions Quiet { get; } = new() { IdleTimeout = TimeSpan.Zero };

    /// <summary>The first listen address of <paramref name="host"/> with its <c>/p2p/</c>.</summary>
    public static Multiaddr AddressOf(Libp2pHost host, int index = 0) =>
        host.ListenAddresses[index].WithPeerIdMultihash(host.PeerId.Multihash.Span);

    /// <summary>Copies everything to the peer until its FIN.</summary>
    public static async Task EchoAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        await stream.CopyToAsync(stream, 64 * 1024, cancellationToken);
        await stream.CloseWriteAsync();
    }

    /// <summary>Sends <paramref name="data"/> and a FIN while reading the echo to the end.</summary>
    public static async Task<byte[]> RoundTripAsync(Libp2pStream stream, byte[] data)
    {
        var send = Task.Run(async () =>
        {
            for (var offset = 0; offset < data.Length; offset += 64 * 1024)
            {
                await stream.WriteAsync(data.AsMemory(offset, Math.Min(64 * 1024, data.Length - offset)));
            }

            await stream.CloseWriteAsync();
        });
        using var received = new MemoryStream();
        await stream.CopyToAsync(received).Guarded();
        await send.Guarded();
        return received.ToArray();
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails after <paramref name="within"/> (default: the guard).</summary>
    public static async Task EventuallyAsync(Func<bool> condition, TimeSpan? within = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Guard);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"still false after {within ?? Guard}: {what ?? "condition"}");
            }

            await Task.Delay(10);
        }
    }
}

/// <summary>Records every log entry, so tests can assert that a limit or failure was logged with its reason.</summary>
internal sealed class HostLogCapture : ILoggerFactory
{
    public ConcurrentQueue<(int EventId, LogLevel Level, string Message)> Entries { get; } = new();

    public bool Has(int eventId) => Entries.Any(e => e.EventId == eventId);

    public string Dump() => string.Join("\n", Entries.Select(e => $"{e.EventId} {e.Level}: {e.Message}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(HostLogCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception) + (exception is null ? "" : " | " + exception.Message)));
    }
}
