namespace Granary.Libp2p.Yamux;

/// <summary>
/// An operation on a yamux session (or one of its streams) that cannot proceed because the session has ended or is
/// going away. <see cref="Exception.InnerException"/> carries the reason the session ended, when there was one.
/// </summary>
public sealed class YamuxSessionClosedException(string message, Exception? reason = null) : IOException(message, reason);
