namespace Granary.Libp2p.Yamux;

/// <summary>
/// The peer broke the yamux protocol (bad version or type, truncated frame, window exceeded, bad stream id...).
/// The session answers with GO_AWAY(protocol error) and closes; <see cref="YamuxSession.Completion"/> faults with this.
/// </summary>
public sealed class YamuxProtocolException(string message) : Libp2pProtocolException("yamux: " + message);
