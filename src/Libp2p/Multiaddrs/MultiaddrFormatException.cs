namespace Granary.Libp2p.Multiaddrs;

/// <summary>
/// Multiaddr text or bytes that do not parse, or exceed a limit. The message quotes (an excerpt of) the input
/// and says what was wrong, e.g. <c>multiaddr '/ip4/1.2.3/tcp/1': bad ip4 address '1.2.3'</c>.
/// </summary>
public sealed class MultiaddrFormatException(string message) : Libp2pProtocolException(message);
