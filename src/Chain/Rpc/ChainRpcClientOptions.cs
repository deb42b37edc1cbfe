namespace Granary.Chain.Rpc;

/// <summary>How a <see cref="ChainRpcClient"/> calls its node.</summary>
public sealed record ChainRpcClientOptions
{
    /// <summary>How long one call may take before the node is deemed unavailable (not applied to <c>StateWaitMsg</c>, which waits for the chain).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening the <c>ChainNotify</c> websocket and receiving its channel id may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Websocket keep-alive pings for <c>ChainNotify</c>.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The network prefix addresses are sent with: <c>t</c> (test networks, Lotus's 2k devnet) or <c>f</c>
    /// (mainnet). Lotus accepts either, so this only matters for logs on the node's side.
    /// </summary>
    public char AddressNetwork { get; init; } = 't';

    /// <summary>The HTTP handler (tests, proxies); the client owns and disposes it. Null: a new <see cref="SocketsHttpHandler"/>.</summary>
    public HttpMessageHandler? Handler { get; init; }
}
