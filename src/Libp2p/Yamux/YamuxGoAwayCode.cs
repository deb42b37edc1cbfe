namespace Granary.Libp2p.Yamux;

/// <summary>The error code a GO_AWAY frame carries in its length field.</summary>
public enum YamuxGoAwayCode : uint
{
    /// <summary>Normal termination.</summary>
    Normal = 0,

    /// <summary>The peer broke the yamux protocol.</summary>
    ProtocolError = 1,

    /// <summary>The sender failed internally.</summary>
    InternalError = 2,
}
