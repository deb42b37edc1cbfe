using System.Formats.Cbor;

namespace Granary.Silo.Backup;

/// <summary>A chunk of the embedded devnet's database file (<c>devnet.db</c>), in order.</summary>
public sealed record ChainChunkRecord(long Offset, byte[] Data) : BackupRecord
{
    /// <summary>Bytes per chunk.</summary>
    public const int ChunkBytes = 4 << 20;

    internal const string Type = "chain";

    /// <inheritdoc />
    public override string Category => BackupCategories.Chain;

    /// <inheritdoc />
    protected override void Write(CborWriter writer)
    {
        writer.WriteStartArray(3);
        writer.WriteTextString(Type);
        writer.WriteInt64(Offset);
        writer.WriteByteString(Data);
        writer.WriteEndArray();
    }

    internal static ChainChunkRecord Read(CborReader reader, int length)
    {
        Expect(length, 3, Type);
        var record = new ChainChunkRecord(reader.ReadInt64(), reader.ReadByteString());
        if (record.Offset < 0 || record.Data.Length is 0 or > ChunkBytes)
        {
            throw new BackupFormatException($"a chain chunk at {record.Offset} of {record.Data.Length} bytes is out of range");
        }

        return record;
    }
}
