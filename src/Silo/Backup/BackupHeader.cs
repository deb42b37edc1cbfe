using System.Formats.Cbor;
using System.Globalization;

namespace Granary.Silo.Backup;

/// <summary>
/// The first item of a backup file, a CBOR map: <c>magic</c> (<c>granary-backup</c>), <c>version</c>, <c>kind</c>
/// (<c>full</c> or <c>markets</c>), <c>miner</c> (its id address, empty when the repo has no miner), <c>created</c>
/// (RFC 3339 UTC), <c>serviceId</c> (the Orleans service id the rows came from), <c>records</c> (how many records follow)
/// and <c>counts</c> (items per category, <see cref="BackupCategories"/>).
/// </summary>
public sealed record BackupHeader(BackupKind Kind, string Miner, DateTimeOffset Created, string ServiceId, long Records,
    IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>The magic string.</summary>
    public const string Magic = "granary-backup";

    /// <summary>The format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The kind's name in the file.</summary>
    public static string KindName(BackupKind kind) => kind == BackupKind.Markets ? "markets" : "full";

    /// <summary>The header's CBOR encoding.</summary>
    public byte[] Encode()
    {
        var writer = new CborWriter(CborConformanceMode.Strict);
        writer.WriteStartMap(8);
        writer.WriteTextString("magic");
        writer.WriteTextString(Magic);
        writer.WriteTextString("version");
        writer.WriteInt32(FormatVersion);
        writer.WriteTextString("kind");
        writer.WriteTextString(KindName(Kind));
        writer.WriteTextString("miner");
        writer.WriteTextString(Miner);
        writer.WriteTextString("created");
        writer.WriteTextString(Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        writer.WriteTextString("serviceId");
        writer.WriteTextString(ServiceId);
        writer.WriteTextString("records");
        writer.WriteInt64(Records);
        writer.WriteTextString("counts");
        writer.WriteStartMap(Counts.Count);
        foreach (var (category, count) in Counts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            writer.WriteTextString(category);
            writer.WriteInt64(count);
        }

        writer.WriteEndMap();
        writer.WriteEndMap();
        return writer.Encode();
    }

    /// <summary>Decodes and checks a header: magic first, then version, then the fields.</summary>
    /// <exception cref="BackupFormatException">Not a Granary backup, another format version, or malformed.</exception>
    public static BackupHeader Decode(ReadOnlyMemory<byte> bytes, BackupLimits limits)
    {
        try
        {
            var reader = new CborReader(bytes, CborConformanceMode.Strict);
            var fields = reader.ReadStartMap() ?? throw new BackupFormatException("not a granary backup (the header is not a definite-length map)");
            if (fields > 32)
            {
                throw new BackupFormatException("not a granary backup (the header has too many fields)");
            }

            var values = new Dictionary<string, object>(StringComparer.Ordinal);
            for (var i = 0; i < fields; i++)
            {
                var key = reader.ReadTextString();
                values[key] = key switch
                {
                    "version" or "records" => reader.ReadInt64(),
                    "counts" => ReadCounts(reader),
                    _ when reader.PeekState() == CborReaderState.TextString => reader.ReadTextString(),
                    _ => Skip(reader),
                };
            }

            reader.ReadEndMap();
            if (reader.BytesRemaining != 0)
            {
                throw new BackupFormatException("not a granary backup (bytes after the header map)");
            }

            if (!values.TryGetValue("magic", out var magic) || magic is not string m || m != Magic)
            {
                throw new BackupFormatException($"not a granary backup (magic is {(magic is string s ? $"'{BackupRecord.Printable(s)}'" : "missing")}, not '{Magic}')");
            }

            if (values.GetValueOrDefault("version") is not long version)
            {
                throw new BackupFormatException("the header has no format version");
            }

            if (version != FormatVersion)
            {
                throw new BackupFormatException($"backup format version {version} is not supported (this granary reads version {FormatVersion})");
            }

            var kind = Text(values, "kind") switch
            {
                "full" => BackupKind.Full,
                "markets" => BackupKind.Markets,
                var other => throw new BackupFormatException($"unknown backup kind '{BackupRecord.Printable(other)}' (full or markets)"),
            };
            if (!DateTimeOffset.TryParse(Text(values, "created"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
            {
                throw new BackupFormatException("the header's created time is not a time");
            }

            if (values.GetValueOrDefault("records") is not long records || records < 0)
            {
                throw new BackupFormatException("the header has no record count");
            }

            if (records > limits.MaxRecords)
            {
                throw new BackupFormatException($"the header declares {records} records; the limit is {limits.MaxRecords}");
            }

            var counts = values.GetValueOrDefault("counts") as Dictionary<string, long> ?? throw new BackupFormatException("the header has no counts");
            return new BackupHeader(kind, Text(values, "miner"), created, Text(values, "serviceId"), records, counts);
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or OverflowException or FormatException or ArgumentException)
        {
            throw new BackupFormatException($"not a granary backup (the header is malformed: {e.Message})", e);
        }
    }

    private static string Text(Dictionary<string, object> values, string key) =>
        values.GetValueOrDefault(key) as string ?? throw new BackupFormatException($"the header has no '{key}'");

    private static Dictionary<string, long> ReadCounts(CborReader reader)
    {
        var n = reader.ReadStartMap() ?? throw new BackupFormatException("the header's counts are not a definite-length map");
        if (n > 64)
        {
            throw new BackupFormatException("the header has too many counts");
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var key = reader.ReadTextString();
            var value = reader.ReadInt64();
            counts[key] = value >= 0 ? value : throw new BackupFormatException($"count '{BackupRecord.Printable(key)}' is negative");
        }

        reader.ReadEndMap();
        return counts;
    }

    private static object Skip(CborReader reader)
    {
        reader.SkipValue();
        return "";
    }

    /// <summary>The counts as <c>category N, …</c> for one output line.</summary>
    public string DescribeCounts() => string.Join(", ", Counts.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));
}
