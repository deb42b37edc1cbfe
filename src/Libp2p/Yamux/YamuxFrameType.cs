namespace Granary.Libp2p.Yamux;

/// <summary>The yamux frame types (header byte 1).</summary>
public enum YamuxFrameType : byte
{
    /// <summary>Stream data; the header length is the payload length.</summary>
    Data = 0,

    /// <summary>Grants the peer more receive window; the header length is the delta.</summary>
    WindowUpdate = 1,

    /// <summary>Session ping on stream 0; the header length is an opaque value echoed in the ACK.</summary>
    Ping = 2,

    /// <summary>Session termination on stream 0; the header length is a <see cref="YamuxGoAwayCode"/>.</summary>
    GoAway = 3,
}
