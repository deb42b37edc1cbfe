using System.Formats.Cbor;

namespace Granary.Silo.Backup;

/// <summary>One row of the piece block index: a block's multihash, codec and data range in a piece's payload.</summary>
public sealed record BlockRow(string PieceCid, byte[] Multihash, ulong Codec, long Offset, long Length);

/// <summary>Up to <see cref="MaxRows"/> rows of the piece block index (<c>GranaryPieceBlocks</c>).</summary>
public sealed record BlockRowsRecord(IReadOnlyList<BlockRow> Rows) : BackupRecord
{
    /// <summary>Rows per record.</summary>
    public const int MaxRows = 4096;

    internal const string Type = "blocks";

    /// <inheritdoc />
    public override string Category => BackupCategories.Blocks;

    /// <inheritdoc />
    public override long Items => Rows.Count;

    /// <inheritdoc />
    protected override void Write(CborWriter writer)
    {
        writer.WriteStartArray(2);
        writer.WriteTextString(Type);
        writer.WriteStartArray(Rows.Count);
        foreach (var row in Rows)
        {
            writer.WriteStartArray(5);
            writer.WriteTextString(row.PieceCid);
            writer.WriteByteString(row.Multihash);
            writer.WriteUInt64(row.Codec);
            writer.WriteInt64(row.Offset);
            writer.WriteInt64(row.Length);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndArray();
    }

    internal static BlockRowsRecord Read(CborReader reader, int length)
    {
        Expect(length, 2, Type);
        var count = reader.ReadStartArray() ?? throw new BackupFormatException("block rows must be a definite-length array");
        if (count is 0 or > MaxRows)
        {
            throw new BackupFormatException($"a blocks record holds 1 to {MaxRows} rows, not {count}");
        }

        var rows = new List<BlockRow>(count);
        for (var i = 0; i < count; i++)
        {
            Expect(reader.ReadStartArray() ?? -1, 5, "block row");
            var row = new BlockRow(reader.ReadTextString(), reader.ReadByteString(), reader.ReadUInt64(), reader.ReadInt64(), reader.ReadInt64());
            reader.ReadEndArray();
            if (row.PieceCid.Length is 0 or > 128 || row.Multihash.Length is 0 or > 128 || row.Offset < 0 || row.Length < 0)
            {
                throw new BackupFormatException($"block row {i} is out of range (piece CID or multihash length, offset, length)");
            }

            rows.Add(row);
        }

        reader.ReadEndArray();
        return new BlockRowsRecord(rows);
    }
}
