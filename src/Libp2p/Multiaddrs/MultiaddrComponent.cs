namespace Granary.Libp2p.Multiaddrs;

/// <summary>One <c>/protocol/value</c> step of a <see cref="Multiaddr"/>. Immutable; always valid.</summary>
public sealed class MultiaddrComponent : IEquatable<MultiaddrComponent>
{
    private string? _value;

    internal MultiaddrComponent(MultiaddrProtocol protocol, ReadOnlyMemory<byte> encoded, ReadOnlyMemory<byte> rawValue)
    {
        Protocol = protocol;
        Encoded = encoded;
        RawValue = rawValue;
    }

    /// <summary>The protocol.</summary>
    public MultiaddrProtocol Protocol { get; }

    /// <summary>The canonical text of the value (<c>127.0.0.1</c>, <c>4001</c>, base58 peer id), or null when the protocol has none.</summary>
    public string? Value => Protocol.HasValue ? _value ??= MultiaddrValue.Format(Protocol, RawValue.Span) : null;

    /// <summary>The binary value, without the protocol code and without the length prefix.</summary>
    public ReadOnlyMemory<byte> RawValue { get; }

    /// <summary>The whole binary component: uvarint code ‖ [uvarint length] ‖ value.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <summary><c>/name</c> or <c>/name/value</c>.</summary>
    public override string ToString() => Protocol.HasValue ? $"/{Protocol.Name}/{Value}" : "/" + Protocol.Name;

    /// <inheritdoc />
    public bool Equals(MultiaddrComponent? other) => other is not null && Encoded.Span.SequenceEqual(other.Encoded.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as MultiaddrComponent);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Encoded.Span);
        return hash.ToHashCode();
    }
}
