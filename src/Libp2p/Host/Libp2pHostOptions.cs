using System.Reflection;
using Granary.Libp2p.Identify;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Yamux;

namespace Granary.Libp2p.Host;

/// <summary>
/// Limits, timeouts and identity strings of a <see cref="Libp2pHost"/>. Every limit is enforced per connection or
/// per host, and a peer that hits one loses only its own connection or stream (the reason is logged).
/// </summary>
/// <remarks>
/// Fixed limits that are not options: multistream protocol ids of at most
/// <see cref="Multistream.MultistreamSelect.MaxProtocolLength"/> bytes and at most
/// <see cref="Multistream.MultistreamSelect.MaxNegotiationRounds"/> rejected proposals per negotiation; Noise
/// handshake messages of at most 64 KiB; at most <see cref="PingProtocol.MaxInboundStreamsPerConnection"/> inbound
/// ping streams per connection, each echoing at most <see cref="PingProtocol.MaxEchoesPerStream"/> payloads within
/// <see cref="PingProtocol.MaxStreamLifetime"/>.
/// </remarks>
public sealed record Libp2pHostOptions
{
    /// <summary>The defaults.</summary>
    public static Libp2pHostOptions Default { get; } = new();

    /// <summary>The identify agentVersion; default <c>granary/&lt;assembly version&gt;</c>.</summary>
    public string AgentVersion { get; init; } = DefaultAgentVersion();

    /// <summary>
    /// Addresses announced over identify instead of the listen addresses (e.g. the public address of a host behind
    /// NAT). Empty: announce the listen addresses, with wildcard binds (<c>0.0.0.0</c>, <c>::</c>) expanded to the
    /// machine's interface addresses.
    /// </summary>
    public IReadOnlyList<Multiaddr> AnnounceAddresses { get; init; } = [];

    /// <summary>
    /// Inbound connections open at once, counting those still in the handshake (default 256). A connection over the
    /// limit is closed as soon as it is accepted.
    /// </summary>
    public int MaxInboundConnections { get; init; } = 256;

    /// <summary>
    /// Connections to one peer, either direction (default 8). An inbound connection over the limit is closed once the
    /// handshake revealed its peer; outbound dials reuse a live connection instead of opening another.
    /// </summary>
    public int MaxConnectionsPerPeer { get; init; } = 8;

    /// <summary>
    /// Yamux settings of every connection. <see cref="YamuxOptions.MaxStreams"/> is the limit on inbound streams
    /// open at once per connection (a stream over it is reset).
    /// </summary>
    public YamuxOptions Yamux { get; init; } = YamuxOptions.Default;

    /// <summary>
    /// Announce <c>stream_muxers</c> in the Noise handshake (default true), so that when the peer does too the
    /// muxer is agreed without a multistream round (inlined negotiation, as js does). False always negotiates the
    /// muxer with multistream-select after Noise.
    /// </summary>
    public bool InlineMuxerNegotiation { get; init; } = true;

    /// <summary>Bound on the TCP connect of a dial, including DNS resolution (default 10 s).</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Bound on the whole connection upgrade — multistream <c>/noise</c>, the Noise handshake, the muxer — in either
    /// direction (default 10 s). A peer that connects and stays silent is dropped after it.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound on the multistream-select negotiation of each stream, either direction (default 10 s).</summary>
    public TimeSpan NegotiationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound on one identify exchange (default 5 s, as js and go).</summary>
    public TimeSpan IdentifyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A connection with no open stream for this long is closed with GO_AWAY (default 60 s; connections are cheap
    /// to redial, and idle ones from many peers are what exhausts a listener). <see cref="TimeSpan.Zero"/> or
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest identify message accepted or sent, in bytes (default 8 KiB, the js/go limit).</summary>
    public int MaxIdentifyMessageSize { get; init; } = IdentifyProtocol.DefaultMaxMessageSize;

    /// <summary>How long <see cref="Libp2pHost.DisposeAsync"/> waits for connections to close before cutting them (default 5 s).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal bool IdleTimeoutEnabled => IdleTimeout > TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(AgentVersion, nameof(AgentVersion));
        ArgumentNullException.ThrowIfNull(AnnounceAddresses, nameof(AnnounceAddresses));
        ArgumentNullException.ThrowIfNull(Yamux, nameof(Yamux));
        if (MaxInboundConnections < 1 || MaxConnectionsPerPeer < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInboundConnections), "MaxInboundConnections and MaxConnectionsPerPeer must be positive");
        }

        if (MaxIdentifyMessageSize is < 256 or > 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIdentifyMessageSize), MaxIdentifyMessageSize, "must be between 256 bytes and 1 MiB");
        }

        foreach (var (name, value) in new[]
                 {
                     (nameof(DialTimeout), DialTimeout), (nameof(HandshakeTimeout), HandshakeTimeout),
                     (nameof(NegotiationTimeout), NegotiationTimeout), (nameof(IdentifyTimeout), IdentifyTimeout),
                     (nameof(ShutdownTimeout), ShutdownTimeout),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(name, value, "timeouts must be positive");
            }
        }

        if (IdleTimeout < TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "must not be negative (use TimeSpan.Zero to turn it off)");
        }
    }

    private static string DefaultAgentVersion()
    {
        var assembly = typeof(Libp2pHostOptions).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString(3)
            ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return "granary/" + (plus < 0 ? version : version[..plus]);
    }
}
