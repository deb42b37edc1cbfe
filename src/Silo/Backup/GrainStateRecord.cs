using System.Formats.Cbor;

namespace Granary.Silo.Backup;

/// <summary>One row of Orleans' <c>OrleansStorage</c> table (the service id is the restoring cluster's).</summary>
public sealed record GrainStateRecord(
    string GrainType, int GrainIdHash, long GrainIdN0, long GrainIdN1, int GrainTypeHash, string Extension, byte[]? Payload,
    DateTime ModifiedOn, int Version) : BackupRecord
{
    internal const string Type = "state";

    /// <inheritdoc />
    public override string Category => BackupCategories.OfState(GrainType);

    /// <inheritdoc />
    protected override void Write(CborWriter writer)
    {
        writer.WriteStartArray(10);
        writer.WriteTextString(Type);
        writer.WriteTextString(GrainType);
        writer.WriteInt32(GrainIdHash);
        writer.WriteInt64(GrainIdN0);
        writer.WriteInt64(GrainIdN1);
        writer.WriteInt32(GrainTypeHash);
        writer.WriteTextString(Extension);
        if (Payload is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.WriteByteString(Payload);
        }

        writer.WriteInt64(ModifiedOn.ToUniversalTime().Ticks);
        writer.WriteInt32(Version);
        writer.WriteEndArray();
    }

    internal static GrainStateRecord Read(CborReader reader, int length)
    {
        Expect(length, 10, Type);
        var grainType = reader.ReadTextString();
        var idHash = reader.ReadInt32();
        var n0 = reader.ReadInt64();
        var n1 = reader.ReadInt64();
        var typeHash = reader.ReadInt32();
        var extension = reader.ReadTextString();
        byte[]? payload = null;
        if (reader.PeekState() == CborReaderState.Null)
        {
            reader.ReadNull();
        }
        else
        {
            payload = reader.ReadByteString();
        }

        var modified = Time(reader.ReadInt64());
        var version = reader.ReadInt32();
        if (grainType.Length is 0 or > 512 || extension.Length > 512)
        {
            throw new BackupFormatException($"grain type '{Printable(grainType)}' or its key extension is empty or longer than 512 characters");
        }

        return new GrainStateRecord(grainType, idHash, n0, n1, typeHash, extension, payload, modified, version);
    }
}
