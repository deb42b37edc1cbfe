namespace Granary.Libp2p;

/// <summary>
/// A peer sent bytes that break a libp2p wire protocol (multistream, Noise, Yamux, protobuf, multiaddr...),
/// or exceeded one of our limits. The connection that carried them is closed; the message says what was wrong.
/// </summary>
public class Libp2pProtocolException(string message, Exception? inner = null) : Exception(message, inner);
