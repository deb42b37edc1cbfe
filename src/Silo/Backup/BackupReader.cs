using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Granary.Silo.Backup;

/// <summary>
/// Reads a backup file written by <see cref="BackupWriter"/>, refusing anything else with a one-line
/// <see cref="BackupFormatException"/>: an empty file, one that is not a Granary backup (magic), another format
/// version, a checksum mismatch (a flipped byte, a truncated file), an item beyond the <see cref="BackupLimits"/>, a
/// malformed record, or counts that disagree with the header. <see cref="VerifyAsync"/> checks all of that without
/// changing anything; <see cref="ReadAsync"/> then yields the records (and checks the checksum again at the end).
/// </summary>
public static class BackupReader
{
    /// <summary>Checks the whole file; returns its header.</summary>
    /// <exception cref="BackupFormatException">The file is refused; the message says why.</exception>
    public static async Task<BackupHeader> VerifyAsync(string path, BackupLimits? limits = null, CancellationToken cancellationToken = default)
    {
        limits ??= BackupLimits.Default;
        var header = await ReadHeaderAsync(path, limits, cancellationToken);
        await VerifyChecksumAsync(path, cancellationToken);
        await foreach (var _ in ReadAsync(path, limits, cancellationToken))
        {
            // Every record decodes and the counts match.
        }

        return header;
    }

    /// <summary>Reads and checks only the header (magic, version, fields).</summary>
    /// <exception cref="BackupFormatException">The file is refused.</exception>
    public static async Task<BackupHeader> ReadHeaderAsync(string path, BackupLimits? limits = null, CancellationToken cancellationToken = default)
    {
        limits ??= BackupLimits.Default;
        await using var file = Open(path);
        return await ReadHeaderAsync(new Framed(file, path), limits, cancellationToken);
    }

    /// <summary>The records in file order. Call <see cref="VerifyAsync"/> first to refuse a bad file before acting on any record.</summary>
    /// <exception cref="BackupFormatException">The file is refused (raised at the record where it goes wrong).</exception>
    public static async IAsyncEnumerable<BackupRecord> ReadAsync(string path, BackupLimits? limits = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        limits ??= BackupLimits.Default;
        await using var file = Open(path);
        var framed = new Framed(file, path);
        var header = await ReadHeaderAsync(framed, limits, cancellationToken);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        for (long i = 1; i <= header.Records; i++)
        {
            var length = await framed.ReadHeadAsync($"record {i}", cancellationToken);
            if (length > limits.MaxRecordBytes)
            {
                throw new BackupFormatException($"{path}: record {i} is {length} bytes; the limit is {limits.MaxRecordBytes}");
            }

            var bytes = await framed.ReadItemAsync((int)length, $"record {i}", cancellationToken);
            BackupRecord record;
            try
            {
                record = BackupRecord.Decode(bytes);
            }
            catch (BackupFormatException e)
            {
                throw new BackupFormatException($"{path}: record {i}: {e.Message}", e);
            }

            counts[record.Category] = counts.GetValueOrDefault(record.Category) + record.Items;
            yield return record;
        }

        var trailer = await framed.ReadHeadAsync("the checksum", cancellationToken, hash: false);
        if (trailer != 32)
        {
            throw new BackupFormatException($"{path}: records continue after the {header.Records} the header declares");
        }

        var sum = new byte[32];
        await framed.ReadExactAsync(sum, "the checksum", cancellationToken, hash: false);
        if (!CryptographicOperations.FixedTimeEquals(sum, framed.Hash()))
        {
            throw new BackupFormatException($"{path}: checksum mismatch: the file is corrupt or was changed while being read");
        }

        if (file.Position != file.Length)
        {
            throw new BackupFormatException($"{path}: {file.Length - file.Position} bytes after the checksum");
        }

        if (header.Counts.Any(c => c.Value != counts.GetValueOrDefault(c.Key)) || counts.Any(c => c.Value != header.Counts.GetValueOrDefault(c.Key)))
        {
            throw new BackupFormatException($"{path}: the header's counts ({header.DescribeCounts()}) do not match its records "
                + $"({string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))})");
        }
    }

    private static FileStream Open(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new BackupFormatException($"{path}: no such file");
        }

        if (info.Length == 0)
        {
            throw new BackupFormatException($"{path} is empty, not a granary backup");
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupFormatException($"{path}: cannot read ({e.Message})", e);
        }
    }

    private static async Task<BackupHeader> ReadHeaderAsync(Framed framed, BackupLimits limits, CancellationToken cancellationToken)
    {
        var length = await framed.ReadHeadAsync("the header", cancellationToken, notBackup: true);
        if (length > framed.Remaining)
        {
            throw new BackupFormatException($"{framed.Path} is not a granary backup (it does not start with a header)");
        }

        if (length > limits.MaxHeaderBytes)
        {
            throw new BackupFormatException($"{framed.Path} is not a granary backup (a {length}-byte header; the limit is {limits.MaxHeaderBytes})");
        }

        var bytes = await framed.ReadItemAsync((int)length, "the header", cancellationToken);
        try
        {
            return BackupHeader.Decode(bytes, limits);
        }
        catch (BackupFormatException e)
        {
            throw new BackupFormatException($"{framed.Path}: {e.Message}", e);
        }
    }

    private static async Task VerifyChecksumAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = Open(path);
        if (file.Length < BackupFraming.TrailerBytes + 2)
        {
            throw new BackupFormatException($"{path} is truncated (no checksum at its end)");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        var remaining = file.Length - BackupFraming.TrailerBytes;
        while (remaining > 0)
        {
            var n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
            if (n == 0)
            {
                throw new BackupFormatException($"{path} changed while being read");
            }

            hash.AppendData(buffer, 0, n);
            remaining -= n;
        }

        var trailer = new byte[BackupFraming.TrailerBytes];
        await file.ReadExactlyAsync(trailer, cancellationToken);
        if (trailer[0] != 0x58 || trailer[1] != 32 || !CryptographicOperations.FixedTimeEquals(trailer.AsSpan(2), hash.GetHashAndReset()))
        {
            throw new BackupFormatException($"{path}: checksum mismatch: the file is corrupt or truncated (its SHA-256 is not the one recorded at its end)");
        }
    }

    // Reads byte-string-framed items, hashing what it reads.
    private sealed class Framed(FileStream file, string path)
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public string Path => path;

        public long Remaining => file.Length - file.Position;

        public byte[] Hash() => _hash.GetHashAndReset();

        public async Task<long> ReadHeadAsync(string what, CancellationToken cancellationToken, bool hash = true, bool notBackup = false)
        {
            var first = new byte[1];
            await ReadExactAsync(first, what, cancellationToken, hash);
            if (first[0] >> 5 != 2 || (first[0] & 31) > 27)
            {
                throw new BackupFormatException(notBackup
                    ? $"{path} is not a granary backup (it does not start with a header)"
                    : $"{path}: {what} at byte {file.Position - 1} is not a framed item");
            }

            var info = first[0] & 31;
            if (info < 24)
            {
                return info;
            }

            var extra = new byte[1 << (info - 24)];
            await ReadExactAsync(extra, what, cancellationToken, hash);
            var length = extra.Length switch
            {
                1 => extra[0],
                2 => BinaryPrimitives.ReadUInt16BigEndian(extra),
                4 => BinaryPrimitives.ReadUInt32BigEndian(extra),
                _ => BinaryPrimitives.ReadUInt64BigEndian(extra),
            };
            return length > long.MaxValue ? long.MaxValue : (long)length;
        }

        public async Task<byte[]> ReadItemAsync(int length, string what, CancellationToken cancellationToken)
        {
            if (file.Length - file.Position < length)
            {
                throw new BackupFormatException($"{path} is truncated: {what} needs {length} bytes, {file.Length - file.Position} remain");
            }

            var bytes = new byte[length];
            await ReadExactAsync(bytes, what, cancellationToken, hash: true);
            return bytes;
        }

        public async Task ReadExactAsync(byte[] buffer, string what, CancellationToken cancellationToken, bool hash)
        {
            try
            {
                await file.ReadExactlyAsync(buffer, cancellationToken);
            }
            catch (EndOfStreamException)
            {
                throw new BackupFormatException($"{path} is truncated (it ends inside {what})");
            }

            if (hash)
            {
                _hash.AppendData(buffer);
            }
        }
    }
}
