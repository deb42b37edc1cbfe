namespace Granary.Libp2p.Yamux;

/// <summary>The yamux header flags (u16, big-endian).</summary>
[Flags]
public enum YamuxFlags : ushort
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Opens a stream, or asks for a ping answer.</summary>
    Syn = 0x1,

    /// <summary>Accepts a stream, or answers a ping.</summary>
    Ack = 0x2,

    /// <summary>Half-closes the sender's side of a stream.</summary>
    Fin = 0x4,

    /// <summary>Resets (hard-closes) a stream.</summary>
    Rst = 0x8,
}
