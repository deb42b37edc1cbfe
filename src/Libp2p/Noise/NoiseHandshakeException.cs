namespace Granary.Libp2p.Noise;

/// <summary>
/// The Noise handshake failed: malformed or tampered messages, a bad identity signature, an unexpected peer id, no
/// common stream muxer, or the connection closing mid-handshake. The message says which.
/// </summary>
public sealed class NoiseHandshakeException(string message, Exception? inner = null) : Libp2pProtocolException(message, inner);
