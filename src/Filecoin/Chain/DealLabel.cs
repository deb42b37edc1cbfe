using System.Formats.Cbor;
using Granary.Filecoin.Cbor;

namespace Granary.Filecoin.Chain;

/// <summary>A deal label: a CBOR text string or byte string (a kinded union), at most 256 bytes; empty text by default.</summary>
public sealed record DealLabel
{
    /// <summary>Longest label (market actor policy).</summary>
    public const int MaxBytes = 256;

    private DealLabel(string? text, byte[]? bytes)
    {
        Text = text;
        Bytes = bytes;
    }

    /// <summary>The text, when the label is a string.</summary>
    public string? Text { get; }

    /// <summary>The bytes, when the label is a byte string.</summary>
    public byte[]? Bytes { get; }

    /// <summary>The empty string label.</summary>
    public static DealLabel Empty { get; } = new("", null);

    /// <summary>A text label.</summary>
    public static DealLabel FromString(string text) =>
        System.Text.Encoding.UTF8.GetByteCount(text) <= MaxBytes ? new(text, null) : throw new FilecoinFormatException($"deal label is longer than {MaxBytes} bytes");

    /// <summary>A bytes label.</summary>
    public static DealLabel FromBytes(byte[] bytes) =>
        bytes.Length <= MaxBytes ? new(null, bytes) : throw new FilecoinFormatException($"deal label is longer than {MaxBytes} bytes");

    internal void Write(CborWriter w)
    {
        if (Bytes is not null)
        {
            w.WriteByteString(Bytes);
        }
        else
        {
            w.WriteTextString(Text!);
        }
    }

    internal static DealLabel Read(CborReader r) => DagCbor.Guard(r.PeekState) switch
    {
        CborReaderState.TextString => FromString(DagCbor.Guard(r.ReadTextString)),
        CborReaderState.ByteString => FromBytes(DagCbor.Guard(r.ReadByteString)),
        var other => throw new FilecoinFormatException($"deal label must be a string or bytes, found {other}"),
    };

    /// <inheritdoc />
    public bool Equals(DealLabel? other) => other is not null && Text == other.Text
        && (Bytes is null ? other.Bytes is null : other.Bytes is not null && Bytes.AsSpan().SequenceEqual(other.Bytes));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Text, Bytes?.Length);
}
