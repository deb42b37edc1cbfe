using System.Formats.Cbor;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Gateway.Wire;

/// <summary>
/// Field encodings of the markets messages (reference/filecoin.md §2.3): cbor-gen's map encoding, written in
/// canonical order (shorter key first, then bytewise; the canonical writer sorts), UUIDs as 16-byte strings, CIDs
/// as tag 42, addresses, token amounts and signatures as byte strings, nil pointers as null. Reading is strict
/// CBOR (well-formed, no duplicate keys) with cbor-gen's limits: text at most 8192 bytes, byte strings at most
/// 2 MiB.
/// </summary>
public static class WireCbor
{
    /// <summary>cbor-gen's <c>MaxLength</c> for text strings.</summary>
    public const int MaxTextBytes = 8192;

    /// <summary>cbor-gen's <c>ByteArrayMaxLen</c> for byte strings.</summary>
    public const int MaxByteStringBytes = 2 << 20;

    /// <summary>A reader for received bytes: strict (well-formed, no duplicate keys), keys in any order.</summary>
    public static CborReader Reader(ReadOnlyMemory<byte> data) => new(data, CborConformanceMode.Strict);

    /// <summary>A writer producing the canonical (cbor-gen) order.</summary>
    public static CborWriter Writer() => DagCbor.Writer();

    /// <summary>Runs a read, turning every CBOR and Filecoin format error into a malformed-message error naming <paramref name="what"/>.</summary>
    public static T Guard<T>(string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (MarketsWireException)
        {
            throw;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            throw new MarketsWireException(MarketsWireError.Malformed, $"{what}: {e.Message}");
        }
    }

    /// <summary>A UUID as its 16 bytes (RFC 4122 order).</summary>
    public static void WriteUuid(this CborWriter w, Guid uuid) => w.WriteByteString(uuid.ToByteArray(bigEndian: true));

    /// <summary>Reads a 16-byte UUID.</summary>
    public static Guid ReadUuid(this CborReader r)
    {
        var bytes = r.ReadByteString();
        return bytes.Length == 16 ? new Guid(bytes, bigEndian: true)
            : throw new MarketsWireException(MarketsWireError.Malformed, $"a UUID is 16 bytes, not {bytes.Length}");
    }

    /// <summary>Reads a boolean.</summary>
    public static bool ReadBool(this CborReader r) => r.ReadBoolean();

    /// <summary>Reads text of at most <paramref name="max"/> UTF-8 bytes.</summary>
    public static string ReadText(this CborReader r, int max = MaxTextBytes)
    {
        var text = r.ReadTextString();
        return System.Text.Encoding.UTF8.GetByteCount(text) <= max ? text
            : throw new MarketsWireException(MarketsWireError.Oversized, $"text of {System.Text.Encoding.UTF8.GetByteCount(text)} bytes is longer than {max}");
    }

    /// <summary>Reads a byte string of at most <paramref name="max"/> bytes.</summary>
    public static byte[] ReadBytes(this CborReader r, int max = MaxByteStringBytes)
    {
        var bytes = r.ReadByteString();
        return bytes.Length <= max ? bytes
            : throw new MarketsWireException(MarketsWireError.Oversized, $"a byte string of {bytes.Length} bytes is longer than {max}");
    }

    /// <summary>Reads an unsigned integer.</summary>
    public static ulong ReadUInt(this CborReader r) => r.ReadUInt64();

    /// <summary>Reads a signed integer (Go int64: an epoch).</summary>
    public static long ReadInt(this CborReader r) => r.ReadInt64();

    /// <summary>Writes an address as its bytes.</summary>
    public static void WriteAddress(this CborWriter w, Address address) => w.WriteByteString(address.ToBytes());

    /// <summary>Reads an address.</summary>
    public static Address ReadAddress(this CborReader r) => Address.FromBytes(r.ReadBytes(128));

    /// <summary>Writes a token amount (a big integer's bytes; empty for zero).</summary>
    public static void WriteAmount(this CborWriter w, TokenAmount amount) => w.WriteByteString(amount.ToBytes());

    /// <summary>Reads a token amount.</summary>
    public static TokenAmount ReadAmount(this CborReader r) => TokenAmount.FromBytes(r.ReadBytes(TokenAmount.MaxBytes + 1));

    /// <summary>Reads a CID link.</summary>
    public static Cid ReadLink(this CborReader r) => r.ReadCid();

    /// <summary>Writes a CID link, or null.</summary>
    public static void WriteNullableCid(this CborWriter w, Cid? cid)
    {
        if (cid is null)
        {
            w.WriteNull();
        }
        else
        {
            w.WriteCid(cid);
        }
    }

    /// <summary>Reads a CID link or null.</summary>
    public static Cid? ReadNullableCid(this CborReader r)
    {
        if (r.PeekState() == CborReaderState.Null)
        {
            r.ReadNull();
            return null;
        }

        return r.ReadCid();
    }

    /// <summary>Writes a signature (type byte and data), or null.</summary>
    public static void WriteSignature(this CborWriter w, Signature? signature)
    {
        if (signature is null)
        {
            w.WriteNull();
        }
        else
        {
            w.WriteByteString(signature.ToBytes());
        }
    }

    /// <summary>Reads a signature (type byte and data), or null.</summary>
    public static Signature? ReadNullableSignature(this CborReader r)
    {
        if (r.PeekState() == CborReaderState.Null)
        {
            r.ReadNull();
            return null;
        }

        return Signature.FromBytes(r.ReadBytes(200));
    }

    /// <summary>Reads a non-null signature.</summary>
    public static Signature ReadSignature(this CborReader r) => r.ReadNullableSignature()
        ?? throw new MarketsWireException(MarketsWireError.Malformed, "the signature is null");

    /// <summary>
    /// Reads the client's signed proposal (the on-chain 2-tuple, in canonical DAG-CBOR). A label over 256 bytes is
    /// reported with Boost's words rather than as a decoding failure.
    /// </summary>
    public static ClientDealProposal ReadClientDealProposal(this CborReader r)
    {
        var encoded = r.ReadEncodedValue();
        if (LabelBytes(encoded) is > DealLabel.MaxBytes and var length)
        {
            throw new MarketsWireException(MarketsWireError.Oversized, $"deal label can be at most {DealLabel.MaxBytes} bytes, is {length}");
        }

        return ClientDealProposal.FromCbor(encoded);
    }

    // The label's length in a [[PieceCID, PieceSize, VerifiedDeal, Client, Provider, Label, …], Signature] tuple, or null if it is not that shape.
    private static int? LabelBytes(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            var r = new CborReader(encoded, CborConformanceMode.Lax);
            if (r.ReadStartArray() != 2 || r.ReadStartArray() != 11)
            {
                return null;
            }

            for (var i = 0; i < 5; i++)
            {
                r.SkipValue();
            }

            return r.PeekState() switch
            {
                CborReaderState.TextString => System.Text.Encoding.UTF8.GetByteCount(r.ReadTextString()),
                CborReaderState.ByteString => r.ReadByteString().Length,
                _ => null,
            };
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Reads a deal proposal (the on-chain 11-tuple).</summary>
    public static DealProposal ReadDealProposal(this CborReader r) => DealProposal.FromCbor(r.ReadEncodedValue());

    /// <summary>Reads null (a nil pointer) or a value.</summary>
    public static T? ReadNullable<T>(this CborReader r, Func<CborReader, T> read)
        where T : class
    {
        if (r.PeekState() == CborReaderState.Null)
        {
            r.ReadNull();
            return null;
        }

        return read(r);
    }

    /// <summary>Encodes a value with a canonical writer.</summary>
    public static byte[] Encode(Action<CborWriter> write)
    {
        var w = Writer();
        write(w);
        return w.Encode();
    }
}
