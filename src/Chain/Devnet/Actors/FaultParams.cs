using Granary.Chain.Model;

namespace Granary.Chain.Devnet.Actors;

/// <summary>Sectors of one partition: [Deadline, Partition, Sectors] (<c>FaultDeclaration</c> / <c>RecoveryDeclaration</c>).</summary>
public sealed record SectorDeclaration(ulong Deadline, ulong Partition, BitField Sectors);

/// <summary>
/// Miner <c>DeclareFaults</c> (method 10) and <c>DeclareFaultsRecovered</c> (method 11): [[[Deadline,
/// Partition, Sectors]...]].
/// </summary>
public sealed record DeclareFaultsParams(IReadOnlyList<SectorDeclaration> Declarations)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(1);
        w.Array(Declarations, (w, d) =>
        {
            w.WriteStartArray(3);
            w.WriteUInt64(d.Deadline);
            w.WriteUInt64(d.Partition);
            w.BitField(d.Sectors);
            w.WriteEndArray();
        });
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static DeclareFaultsParams FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "DeclareFaultsParams", r =>
    {
        r.Tuple(1, "DeclareFaultsParams");
        var declarations = r.Array("declarations", r =>
        {
            r.Tuple(3, "declaration");
            var d = new SectorDeclaration(r.UInt(), r.UInt(), r.BitField("Sectors"));
            r.End();
            return d;
        }, 3000);
        r.End();
        return new DeclareFaultsParams(declarations);
    });
}
