namespace Granary.Libp2p.Host;

/// <summary>Which side opened a connection or a stream.</summary>
public enum ConnectionDirection
{
    /// <summary>The remote peer opened it.</summary>
    Inbound,

    /// <summary>This host opened it.</summary>
    Outbound,
}
