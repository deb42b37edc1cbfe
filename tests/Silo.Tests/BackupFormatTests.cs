using System.Formats.Cbor;
using System.Security.Cryptography;
using Granary.Silo.Backup;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// The backup file format on its own: a round trip of every record type, and every kind of bad input refused with a
/// one-line message — empty, a flipped byte, truncated at any length, wrong magic or version, a record beyond the size
/// limit, more records than the count limit, unknown or malformed records, a file path escaping the repo.
/// </summary>
public sealed class BackupFormatTests
{
    private static readonly DateTime When = new(2026, 12, 1, 20, 0, 0, 123, DateTimeKind.Utc);

    private static List<BackupRecord> SampleRecords() =>
    [
        new RepoFileRecord("miner.json", 0x1A4, "{\"Miner\":\"t01000\"}"u8.ToArray()),
        new RepoFileRecord("keystore/wallet-owner", 0x180, "6b6579"u8.ToArray()),
        new GrainStateRecord("sector", 12345, 0, 7, -99, "", "{\"$type\":\"x\"}"u8.ToArray(), When, 3),
        new GrainStateRecord("deal", -1, long.MinValue, long.MaxValue, 5, "ext", null, When, 1),
        new ReminderRecord("deal/0123", "resume", When, 600_000, 77, 2),
        new BlockRowsRecord([new BlockRow("baga6ea4seaq", [0x12, 0x20, 1, 2], 0x55, 0, 100), new BlockRow("baga6ea4seaq", [0x12, 0x20, 3], 0x71, 100, 50)]),
        new ChainChunkRecord(0, [1, 2, 3]),
    ];

    private static BackupHeader HeaderFor(IReadOnlyList<BackupRecord> records, BackupKind kind = BackupKind.Full, string miner = "t01000") =>
        new(kind, miner, When, "granary", records.Count,
            records.GroupBy(r => r.Category).ToDictionary(g => g.Key, g => g.Sum(r => r.Items), StringComparer.Ordinal));

    private static string WriteSample(TempDirectory dir, string name = "backup.cbor")
    {
        var path = Path.Combine(dir.Path, name);
        var records = SampleRecords();
        using var writer = BackupWriter.Create(path, HeaderFor(records));
        foreach (var record in records)
        {
            writer.Write(record);
        }

        writer.Complete();
        return path;
    }

    // A file of raw items, framed and checksummed like the writer's, for content the writer would never produce.
    private static string WriteRaw(TempDirectory dir, params byte[][] items)
    {
        var path = Path.Combine(dir.Path, $"raw-{Guid.NewGuid():N}.cbor");
        using var stream = new MemoryStream();
        Span<byte> head = stackalloc byte[9];
        foreach (var item in items)
        {
            stream.Write(head[..BackupFraming.EncodeHead(item.Length, head)]);
            stream.Write(item);
        }

        var sum = SHA256.HashData(stream.ToArray());
        stream.Write(head[..BackupFraming.EncodeHead(32, head)]);
        stream.Write(sum);
        File.WriteAllBytes(path, stream.ToArray());
        return path;
    }

    private static async Task<string> RefusedAsync(string path, BackupLimits? limits = null)
    {
        var e = await Assert.ThrowsAsync<BackupFormatException>(() => BackupReader.VerifyAsync(path, limits));
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public async Task Every_record_type_round_trips_and_the_header_carries_magic_version_miner_and_counts()
    {
        using var dir = new TempDirectory();
        var path = WriteSample(dir);
        var header = await BackupReader.VerifyAsync(path);
        Assert.Equal((BackupKind.Full, "t01000", "granary", 7L), (header.Kind, header.Miner, header.ServiceId, header.Records));
        Assert.Equal(2, header.Counts[BackupCategories.Blocks]);
        Assert.Equal(2, header.Counts[BackupCategories.Miner] + header.Counts[BackupCategories.Keys]);
        var read = new List<BackupRecord>();
        await foreach (var record in BackupReader.ReadAsync(path))
        {
            read.Add(record);
        }

        var expected = SampleRecords();
        Assert.Equal(expected.Count, read.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Encode(), read[i].Encode());
        }

        var state = Assert.IsType<GrainStateRecord>(read[2]);
        Assert.Equal((When, DateTimeKind.Utc), (state.ModifiedOn, state.ModifiedOn.Kind));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        // The writer never overwrites and leaves no temp file behind.
        Assert.Throws<IOException>(() => BackupWriter.Create(path, HeaderFor(expected)));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public async Task An_empty_file_and_a_file_that_is_not_a_backup_are_refused()
    {
        using var dir = new TempDirectory();
        var empty = Path.Combine(dir.Path, "empty.cbor");
        await File.WriteAllBytesAsync(empty, []);
        Assert.EndsWith("is empty, not a granary backup", await RefusedAsync(empty));

        var text = Path.Combine(dir.Path, "config.toml");
        await File.WriteAllTextAsync(text, "[Subsystems]\nEnableMarkets = true\n");
        Assert.EndsWith("is not a granary backup (it does not start with a header)", await RefusedAsync(text));
        Assert.EndsWith("no such file", await RefusedAsync(Path.Combine(dir.Path, "missing.cbor")));
    }

    [Fact]
    public async Task Any_flipped_byte_is_refused()
    {
        using var dir = new TempDirectory();
        var good = await File.ReadAllBytesAsync(WriteSample(dir));
        var messages = new HashSet<string>();
        for (var at = 0; at < good.Length; at += Math.Max(1, good.Length / 97))
        {
            var bad = (byte[])good.Clone();
            bad[at] ^= 0x04;
            var path = Path.Combine(dir.Path, $"flip-{at}.cbor");
            await File.WriteAllBytesAsync(path, bad);
            messages.Add((await RefusedAsync(path)).Replace(path, "FILE", StringComparison.Ordinal));
        }

        // Past the header, a flip is caught by the checksum.
        Assert.Contains("FILE: checksum mismatch: the file is corrupt or truncated (its SHA-256 is not the one recorded at its end)", messages);
    }

    [Fact]
    public async Task A_file_truncated_at_any_length_is_refused()
    {
        using var dir = new TempDirectory();
        var good = await File.ReadAllBytesAsync(WriteSample(dir));
        for (var length = 1; length < good.Length; length++)
        {
            var path = Path.Combine(dir.Path, "cut.cbor");
            await File.WriteAllBytesAsync(path, good[..length]);
            var message = await RefusedAsync(path);
            Assert.True(message.Contains("truncated", StringComparison.Ordinal) || message.Contains("checksum mismatch", StringComparison.Ordinal)
                || message.Contains("not a granary backup", StringComparison.Ordinal), $"{length}: {message}");
        }
    }

    [Fact]
    public async Task Wrong_magic_and_unsupported_versions_are_refused_by_name()
    {
        using var dir = new TempDirectory();
        byte[] Header(string magic, int version)
        {
            var w = new CborWriter(CborConformanceMode.Strict);
            w.WriteStartMap(8);
            foreach (var (k, v) in new (string, object)[] { ("magic", magic), ("version", version), ("kind", "full"), ("miner", "t01000"),
                ("created", "2026-12-01T20:00:00.000Z"), ("serviceId", "granary"), ("records", 0L) })
            {
                w.WriteTextString(k);
                if (v is string s)
                {
                    w.WriteTextString(s);
                }
                else
                {
                    w.WriteInt64(Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            w.WriteTextString("counts");
            w.WriteStartMap(0);
            w.WriteEndMap();
            w.WriteEndMap();
            return w.Encode();
        }

        await BackupReader.VerifyAsync(WriteRaw(dir, Header(BackupHeader.Magic, BackupHeader.FormatVersion)));
        Assert.EndsWith("not a granary backup (magic is 'lotus-backup', not 'granary-backup')", await RefusedAsync(WriteRaw(dir, Header("lotus-backup", 1))));
        Assert.EndsWith("backup format version 2 is not supported (this granary reads version 1)", await RefusedAsync(WriteRaw(dir, Header(BackupHeader.Magic, 2))));
        Assert.Contains("the header is malformed", await RefusedAsync(WriteRaw(dir, [0x83, 1, 2])));
    }

    [Fact]
    public async Task Records_beyond_the_size_or_count_limits_are_refused_before_they_are_read()
    {
        using var dir = new TempDirectory();
        var path = WriteSample(dir);
        var largest = SampleRecords().Max(r => r.Encode().Length);
        var small = BackupLimits.Default with { MaxRecordBytes = largest - 1 };
        Assert.Matches(@": record \d+ is \d+ bytes; the limit is \d+$", await RefusedAsync(path, small));
        Assert.EndsWith("the header declares 7 records; the limit is 6", await RefusedAsync(path, BackupLimits.Default with { MaxRecords = 6 }));
        Assert.Contains("-byte header; the limit is 16)", await RefusedAsync(path, BackupLimits.Default with { MaxHeaderBytes = 16 }));

        // A record claiming 2^40 bytes is refused from its length alone (no allocation, checksum valid).
        var records = new List<BackupRecord> { new ChainChunkRecord(0, [1]) };
        var header = HeaderFor(records).Encode();
        var huge = Path.Combine(dir.Path, "huge.cbor");
        using (var stream = new MemoryStream())
        {
            Span<byte> head = stackalloc byte[9];
            stream.Write(head[..BackupFraming.EncodeHead(header.Length, head)]);
            stream.Write(header);
            stream.Write(head[..BackupFraming.EncodeHead(1L << 40, head)]);
            stream.Write(new byte[64]);
            var sum = SHA256.HashData(stream.ToArray());
            stream.Write(head[..BackupFraming.EncodeHead(32, head)]);
            stream.Write(sum);
            await File.WriteAllBytesAsync(huge, stream.ToArray());
        }

        Assert.EndsWith($"record 1 is {1L << 40} bytes; the limit is {BackupLimits.Default.MaxRecordBytes}", await RefusedAsync(huge));
    }

    [Fact]
    public async Task Malformed_unknown_or_escaping_records_and_wrong_counts_are_refused_even_with_a_valid_checksum()
    {
        using var dir = new TempDirectory();
        byte[] Header(long records, params (string, long)[] counts) =>
            new BackupHeader(BackupKind.Full, "t01000", When, "granary", records, counts.ToDictionary(c => c.Item1, c => c.Item2)).Encode();
        byte[] Array(Action<CborWriter> body)
        {
            var w = new CborWriter(CborConformanceMode.Strict);
            body(w);
            return w.Encode();
        }

        var unknown = Array(w => { w.WriteStartArray(2); w.WriteTextString("secret"); w.WriteInt32(1); w.WriteEndArray(); });
        Assert.EndsWith("record 1: unknown record type 'secret'", await RefusedAsync(WriteRaw(dir, Header(1, ("other", 1)), unknown)));

        var escaping = new RepoFileRecord("../../etc/passwd", 0x1A4, [1]).Encode();
        Assert.EndsWith("record 1: file '../../etc/passwd' is not a repo file a backup may restore", await RefusedAsync(WriteRaw(dir, Header(1, ("keys", 1)), escaping)));
        var hidden = new RepoFileRecord("keystore/../config.toml", 0x1A4, [1]).Encode();
        Assert.Contains("is not a repo file a backup may restore", await RefusedAsync(WriteRaw(dir, Header(1, ("keys", 1)), hidden)));

        var shortState = Array(w => { w.WriteStartArray(2); w.WriteTextString("state"); w.WriteTextString("sector"); w.WriteEndArray(); });
        Assert.EndsWith("record 1: a 'state' record has 10 elements, not 2", await RefusedAsync(WriteRaw(dir, Header(1, ("sectors", 1)), shortState)));
        var notCbor = new byte[] { 0xff, 0x00 };
        Assert.Contains("record 1: malformed record", await RefusedAsync(WriteRaw(dir, Header(1, ("other", 1)), notCbor)));

        var chunk = new ChainChunkRecord(0, [1]).Encode();
        Assert.Contains("do not match its records", await RefusedAsync(WriteRaw(dir, Header(1, ("chain", 2)), chunk)));
        Assert.EndsWith("records continue after the 1 the header declares", await RefusedAsync(WriteRaw(dir, Header(1, ("chain", 1)), chunk, chunk)));
        Assert.Contains("record 2", await RefusedAsync(WriteRaw(dir, Header(2, ("chain", 2)), chunk)));
    }
}
