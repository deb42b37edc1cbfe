namespace Granary.Libp2p.Yamux;

/// <summary>A read or write on a <see cref="YamuxStream"/> that was reset (RST) by either side.</summary>
public sealed class YamuxStreamResetException(uint streamId, bool byRemote)
    : IOException($"yamux stream {streamId} was reset by the {(byRemote ? "remote peer" : "local side")}")
{
    /// <summary>The stream that was reset.</summary>
    public uint StreamId { get; } = streamId;

    /// <summary>True when the peer sent the RST, false when <see cref="YamuxStream.Reset"/> was called here.</summary>
    public bool ByRemote { get; } = byRemote;
}
