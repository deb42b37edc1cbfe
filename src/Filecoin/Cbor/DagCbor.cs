using System.Formats.Cbor;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;

namespace Granary.Filecoin.Cbor;

/// <summary>
/// DAG-CBOR on System.Formats.Cbor: RFC 7049 canonical mode (minimal integers and lengths, map keys sorted
/// length-first then bytewise, no indefinite lengths, no duplicate keys), and CID links as tag 42 over a
/// byte string of 0x00 (identity multibase) followed by the CID bytes.
/// </summary>
public static class DagCbor
{
    /// <summary>The CBOR tag of a CID link.</summary>
    public const CborTag CidTag = (CborTag)42;

    /// <summary>Nesting deeper than this is refused when reading.</summary>
    public const int MaxDepth = 64;

    /// <summary>A writer in DAG-CBOR's canonical mode.</summary>
    public static CborWriter Writer() => new(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false);

    /// <summary>A reader that refuses non-canonical encodings.</summary>
    public static CborReader Reader(ReadOnlyMemory<byte> data) => new(data, CborConformanceMode.Canonical) { };

    /// <summary>Writes a CID link.</summary>
    public static void WriteCid(this CborWriter writer, Cid cid)
    {
        writer.WriteTag(CidTag);
        writer.WriteByteString([0x00, .. cid.ToBytes()]);
    }

    /// <summary>Reads a CID link.</summary>
    /// <exception cref="FilecoinFormatException">Not a tag-42 link with the identity multibase prefix.</exception>
    public static Cid ReadCid(this CborReader reader)
    {
        var tag = Guard(reader.ReadTag);
        var bytes = Guard(reader.ReadByteString);
        if (tag != CidTag || bytes.Length < 2 || bytes[0] != 0x00)
        {
            throw new FilecoinFormatException("expected a CID link (CBOR tag 42 over 0x00 ‖ CID bytes)");
        }

        return Cid.FromBytes(bytes.AsSpan(1));
    }

    /// <summary>The CIDv1 (dag-cbor, blake2b-256) of encoded DAG-CBOR bytes: how Filecoin names chain objects.</summary>
    public static Cid CidOf(ReadOnlySpan<byte> encoded) =>
        new(1, Cid.DagCbor, new Multihash(Multihash.Blake2b256, Blake2b.Hash256(encoded)));

    /// <summary>Runs a read, turning CBOR errors into <see cref="FilecoinFormatException"/> with the reason.</summary>
    public static T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (CborContentException e)
        {
            throw new FilecoinFormatException($"bad CBOR: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            throw new FilecoinFormatException($"unexpected CBOR: {e.Message}");
        }
    }

    /// <summary>Reads an array header of exactly <paramref name="length"/> items.</summary>
    public static void ReadTuple(this CborReader reader, int length, string what)
    {
        var actual = Guard(reader.ReadStartArray);
        if (actual != length)
        {
            throw new FilecoinFormatException($"{what} must be a {length}-tuple, got {(actual is null ? "an indefinite array" : $"{actual} items")}");
        }
    }

    /// <summary>Fails unless everything was read.</summary>
    public static void ExpectEnd(this CborReader reader, string what)
    {
        if (reader.BytesRemaining != 0)
        {
            throw new FilecoinFormatException($"trailing bytes after the {what}");
        }
    }
}
