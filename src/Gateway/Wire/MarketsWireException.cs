namespace Granary.Gateway.Wire;

/// <summary>What is wrong with a markets protocol message.</summary>
public enum MarketsWireError
{
    /// <summary>Not valid CBOR, or CBOR that is not the expected structure (wrong types, bad values, missing fields).</summary>
    Malformed,

    /// <summary>The stream ended before one whole CBOR object arrived.</summary>
    Truncated,

    /// <summary>The message, or one of its fields, is larger than the limit.</summary>
    Oversized,

    /// <summary>The whole message did not arrive within the protocol's read deadline.</summary>
    Timeout,
}

/// <summary>A markets protocol message that cannot be read, with the reason (sent back to the client where the protocol allows).</summary>
public sealed class MarketsWireException(MarketsWireError error, string message) : Exception(message)
{
    /// <summary>What kind of problem it is.</summary>
    public MarketsWireError Error { get; } = error;
}
