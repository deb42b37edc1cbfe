using System.Formats.Cbor;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Tokens;

namespace Granary.Filecoin.Chain;

/// <summary>Reading and writing the field types chain objects share, with their limits.</summary>
internal static class CborFields
{
    public const int MaxAddressBytes = 66;

    public static void WriteAddress(this CborWriter w, Address address) => w.WriteByteString(address.ToBytes());

    public static void WriteAmount(this CborWriter w, TokenAmount amount) => w.WriteByteString(amount.ToBytes());

    public static Address ReadAddress(this CborReader r, string field)
    {
        var bytes = Bytes(r, field, MaxAddressBytes);
        return Address.FromBytes(bytes);
    }

    public static TokenAmount ReadAmount(this CborReader r, string field) => TokenAmount.FromBytes(Bytes(r, field, TokenAmount.MaxBytes + 1));

    public static byte[] Bytes(this CborReader r, string field, int max)
    {
        var bytes = DagCbor.Guard(r.ReadByteString);
        return bytes.Length <= max ? bytes : throw new FilecoinFormatException($"{field} is {bytes.Length} bytes; the limit is {max}");
    }

    public static ulong UInt(this CborReader r) => DagCbor.Guard(r.ReadUInt64);

    public static long Int(this CborReader r) => DagCbor.Guard(r.ReadInt64);
}
