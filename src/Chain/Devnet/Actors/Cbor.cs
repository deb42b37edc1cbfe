using System.Formats.Cbor;
using Granary.Chain.Model;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Actors;

/// <summary>
/// Reading and writing actor parameters (cbor-gen tuples, canonical DAG-CBOR) with limits. A malformed or
/// oversized parameter is Filecoin's <see cref="ExitCode.ErrSerialization"/>.
/// </summary>
public static class Cbor
{
    /// <summary>Most items in one parameter array.</summary>
    public const int MaxArrayItems = 8192;

    /// <summary>Reads <paramref name="bytes"/> with <paramref name="read"/>, which must consume all of them.</summary>
    /// <exception cref="ActorException">Exit code 21 (serialization) with what was wrong.</exception>
    public static T Decode<T>(ReadOnlyMemory<byte> bytes, string what, Func<CborReader, T> read)
    {
        try
        {
            var reader = DagCbor.Reader(bytes);
            var value = read(reader);
            reader.ExpectEnd(what);
            return value;
        }
        catch (Exception e) when (e is FormatException or CborContentException or InvalidOperationException or ArgumentException or OverflowException)
        {
            throw new ActorException(ExitCode.ErrSerialization, $"malformed {what}: {e.Message}");
        }
    }

    /// <summary>Writes a value with <paramref name="write"/>.</summary>
    public static byte[] Encode(Action<CborWriter> write)
    {
        var writer = DagCbor.Writer();
        write(writer);
        return writer.Encode();
    }

    /// <summary>Reads a tuple header of exactly <paramref name="fields"/> fields.</summary>
    public static void Tuple(this CborReader r, int fields, string what) => r.ReadTuple(fields, what);

    /// <summary>Reads the end of an array.</summary>
    public static void End(this CborReader r) => DagCbor.Guard(() => { r.ReadEndArray(); return 0; });

    /// <summary>Reads an array of at most <see cref="MaxArrayItems"/> items.</summary>
    public static List<T> Array<T>(this CborReader r, string what, Func<CborReader, T> item, int max = MaxArrayItems)
    {
        var count = DagCbor.Guard(r.ReadStartArray) ?? throw new FilecoinFormatException($"{what} must not be an indefinite array");
        if (count > max)
        {
            throw new FilecoinFormatException($"{what} has {count} items; the limit is {max}");
        }

        var items = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(item(r));
        }

        r.End();
        return items;
    }

    /// <summary>Writes an array.</summary>
    public static void Array<T>(this CborWriter w, IReadOnlyCollection<T> items, Action<CborWriter, T> item)
    {
        w.WriteStartArray(items.Count);
        foreach (var i in items)
        {
            item(w, i);
        }

        w.WriteEndArray();
    }

    /// <summary>Reads a byte string of at most <paramref name="max"/> bytes.</summary>
    public static byte[] Bytes(this CborReader r, string what, int max)
    {
        var bytes = DagCbor.Guard(r.ReadByteString);
        return bytes.Length <= max ? bytes : throw new FilecoinFormatException($"{what} is {bytes.Length} bytes; the limit is {max}");
    }

    /// <summary>Reads an address.</summary>
    public static Address Address(this CborReader r, string what) => Filecoin.Addresses.Address.FromBytes(r.Bytes(what, 66));

    /// <summary>Writes an address.</summary>
    public static void Address(this CborWriter w, Address address) => w.WriteByteString(address.ToBytes());

    /// <summary>Reads a token amount (big integer bytes).</summary>
    public static TokenAmount Amount(this CborReader r, string what) => TokenAmount.FromBytes(r.Bytes(what, TokenAmount.MaxBytes + 1));

    /// <summary>Writes a token amount.</summary>
    public static void Amount(this CborWriter w, TokenAmount amount) => w.WriteByteString(amount.ToBytes());

    /// <summary>Reads an unsigned integer.</summary>
    public static ulong UInt(this CborReader r) => DagCbor.Guard(r.ReadUInt64);

    /// <summary>Reads a signed integer.</summary>
    public static long Int(this CborReader r) => DagCbor.Guard(r.ReadInt64);

    /// <summary>Reads a boolean.</summary>
    public static bool Bool(this CborReader r) => DagCbor.Guard(r.ReadBoolean);

    /// <summary>Reads a CID link.</summary>
    public static Cid Cid(this CborReader r) => r.ReadCid();

    /// <summary>True (and consumed) if the next item is CBOR null.</summary>
    public static bool TryNull(this CborReader r)
    {
        if (DagCbor.Guard(r.PeekState) != CborReaderState.Null)
        {
            return false;
        }

        DagCbor.Guard(() => { r.ReadNull(); return 0; });
        return true;
    }

    /// <summary>Reads an RLE+ bitfield (a byte string).</summary>
    public static BitField BitField(this CborReader r, string what) => RlePlus.Decode(r.Bytes(what, 1 << 16));

    /// <summary>Writes an RLE+ bitfield.</summary>
    public static void BitField(this CborWriter w, BitField bits) => w.WriteByteString(RlePlus.Encode(bits));
}
