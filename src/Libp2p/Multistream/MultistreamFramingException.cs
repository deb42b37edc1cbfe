namespace Granary.Libp2p.Multistream;

/// <summary>A multistream message that is not framed correctly (truncated, bad prefix, too long, no newline).</summary>
public sealed class MultistreamFramingException(string reason) : Libp2pProtocolException($"multistream: {reason}")
{
    /// <summary>What was wrong, without the <c>multistream:</c> prefix.</summary>
    public string Reason { get; } = reason;
}
