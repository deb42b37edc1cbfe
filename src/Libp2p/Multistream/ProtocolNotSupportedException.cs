namespace Granary.Libp2p.Multistream;

/// <summary>The remote answered <c>na</c> to every protocol we proposed.</summary>
public sealed class ProtocolNotSupportedException(IReadOnlyList<string> protocols)
    : Libp2pProtocolException($"multistream: the peer supports none of {string.Join(", ", protocols)}")
{
    /// <summary>What we proposed, in order.</summary>
    public IReadOnlyList<string> Protocols { get; } = protocols;
}
