using System.Formats.Cbor;

namespace Granary.Silo.Backup;

/// <summary>
/// One record of a backup file: a CBOR array whose first element names its type — <c>state</c> (a grain-state row),
/// <c>reminder</c>, <c>blocks</c> (rows of the piece block index), <c>file</c> (a repo file) or <c>chain</c> (a chunk
/// of the embedded devnet's database).
/// </summary>
public abstract record BackupRecord
{
    /// <summary>The header category this record counts under (<see cref="BackupCategories"/>).</summary>
    public abstract string Category { get; }

    /// <summary>How many items it adds to its category (rows, files or chunks).</summary>
    public virtual long Items => 1;

    /// <summary>The record's CBOR encoding.</summary>
    public byte[] Encode()
    {
        var writer = new CborWriter(CborConformanceMode.Strict);
        Write(writer);
        return writer.Encode();
    }

    /// <summary>Decodes one record.</summary>
    /// <exception cref="BackupFormatException">Not a record of a known type, or malformed.</exception>
    public static BackupRecord Decode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var reader = new CborReader(bytes, CborConformanceMode.Strict);
            var length = reader.ReadStartArray() ?? throw new BackupFormatException("a record must be a definite-length array");
            var type = reader.ReadTextString();
            BackupRecord record = type switch
            {
                GrainStateRecord.Type => GrainStateRecord.Read(reader, length),
                ReminderRecord.Type => ReminderRecord.Read(reader, length),
                BlockRowsRecord.Type => BlockRowsRecord.Read(reader, length),
                RepoFileRecord.Type => RepoFileRecord.Read(reader, length),
                ChainChunkRecord.Type => ChainChunkRecord.Read(reader, length),
                _ => throw new BackupFormatException($"unknown record type '{Printable(type)}'"),
            };
            reader.ReadEndArray();
            if (reader.BytesRemaining != 0)
            {
                throw new BackupFormatException($"{reader.BytesRemaining} bytes after the record");
            }

            return record;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or OverflowException or FormatException or ArgumentException)
        {
            throw new BackupFormatException($"malformed record ({e.Message})", e);
        }
    }

    /// <summary>Writes the record's array.</summary>
    protected abstract void Write(CborWriter writer);

    /// <summary>Throws unless the array has <paramref name="expected"/> elements (the type included).</summary>
    protected static void Expect(int length, int expected, string type)
    {
        if (length != expected)
        {
            throw new BackupFormatException($"a '{type}' record has {expected} elements, not {length}");
        }
    }

    /// <summary>A UTC time from its ticks, refusing values outside DateTime's range.</summary>
    protected static DateTime Time(long ticks) => ticks is >= 0 and <= 3155378975999999999 // DateTime.MaxValue.Ticks
        ? new DateTime(ticks, DateTimeKind.Utc)
        : throw new BackupFormatException($"time {ticks} is out of range");

    internal static string Printable(string text) =>
        text.Length > 64 || text.Any(char.IsControl) ? $"{new string([.. text.Take(64).Where(c => !char.IsControl(c))])}…" : text;
}
