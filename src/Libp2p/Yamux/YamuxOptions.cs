namespace Granary.Libp2p.Yamux;

/// <summary>Limits and tuning of a <see cref="YamuxSession"/>. The defaults match go-yamux / js-yamux.</summary>
public sealed class YamuxOptions
{
    /// <summary>The window every yamux stream starts with, fixed by the spec.</summary>
    public const int SpecInitialWindow = 256 * 1024;

    /// <summary>The defaults.</summary>
    public static YamuxOptions Default { get; } = new();

    /// <summary>
    /// Receive window offered to each new stream (at least the spec's 256 KiB; more is announced in the SYN/ACK frame).
    /// </summary>
    public int InitialWindow { get; init; } = SpecInitialWindow;

    /// <summary>
    /// Receive window auto-tuning doubles a stream's window, up to this, when the peer used the whole window within a
    /// few round trips. It is also the most a stream can buffer and the largest DATA frame accepted at all.
    /// </summary>
    public int MaxWindow { get; init; } = 16 * 1024 * 1024;

    /// <summary>Inbound streams open at once; a SYN beyond this is answered with RST and the session goes on.</summary>
    public int MaxStreams { get; init; } = 1024;

    /// <summary>Largest DATA payload we send in one frame (the peer's window limits it further).</summary>
    public int MaxFrameSize { get; init; } = 256 * 1024;

    /// <summary>Outbound streams the peer has not acknowledged yet; <see cref="YamuxSession.OpenStreamAsync"/> waits beyond this.</summary>
    public int MaxAckBacklog { get; init; } = 256;

    /// <summary>
    /// Interval of keepalive pings (the first one at session start also measures the round-trip time that window
    /// auto-tuning needs). A ping unanswered within one interval closes the session. <see cref="TimeSpan.Zero"/> = off.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long closing waits for queued frames (and the GO_AWAY) to be written before dropping the connection.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (InitialWindow < SpecInitialWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialWindow), InitialWindow, $"yamux windows start at {SpecInitialWindow}; a smaller one cannot be announced");
        }

        if (MaxWindow < InitialWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWindow), MaxWindow, "MaxWindow must be at least InitialWindow");
        }

        if (MaxStreams < 1 || MaxAckBacklog < 1 || MaxFrameSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxStreams), "MaxStreams, MaxAckBacklog and MaxFrameSize must be positive");
        }

        if (KeepAliveInterval < TimeSpan.Zero || CloseTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), "KeepAliveInterval must not be negative and CloseTimeout must be positive");
        }
    }
}
