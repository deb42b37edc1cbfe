using System.Security.Cryptography;

namespace Granary.Silo.Backup;

/// <summary>
/// Writes a backup file: the header, then each record, each as a CBOR byte string wrapping its own CBOR item (so a
/// reader knows every item's length before reading it), then the SHA-256 of everything before it as a 32-byte CBOR
/// byte string. The file is written as <c>FILE.tmp</c> (mode 0600: it holds keys), flushed to disk, then renamed.
/// </summary>
public sealed class BackupWriter : IDisposable
{
    private readonly string _path;
    private readonly string _temp;
    private readonly FileStream _stream;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly BackupHeader _header;
    private readonly Dictionary<string, long> _written = new(StringComparer.Ordinal);
    private long _records;
    private bool _completed;

    private BackupWriter(string path, BackupHeader header)
    {
        _path = path;
        _temp = path + ".tmp";
        _header = header;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, BufferSize = 1 << 16 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        _stream = new FileStream(_temp, options);
        Frame(header.Encode());
    }

    /// <summary>Starts <paramref name="path"/> (which must not exist) with <paramref name="header"/>.</summary>
    /// <exception cref="IOException">The file exists or its folder is missing.</exception>
    public static BackupWriter Create(string path, BackupHeader header)
    {
        path = Path.GetFullPath(path);
        if (File.Exists(path))
        {
            throw new IOException($"{path} exists; a backup never overwrites a file (choose a new name)");
        }

        if (!Directory.Exists(Path.GetDirectoryName(path)))
        {
            throw new IOException($"folder {Path.GetDirectoryName(path)} does not exist");
        }

        return new BackupWriter(path, header);
    }

    /// <summary>Appends a record.</summary>
    /// <exception cref="InvalidOperationException">More records than the header declared, or one beyond the record size limit.</exception>
    public void Write(BackupRecord record)
    {
        if (++_records > _header.Records)
        {
            throw new InvalidOperationException($"more records than the {_header.Records} the header declares");
        }

        var bytes = record.Encode();
        if (bytes.Length > BackupLimits.Default.MaxRecordBytes)
        {
            throw new InvalidOperationException($"a {record.Category} record of {bytes.Length} bytes is beyond the {BackupLimits.Default.MaxRecordBytes}-byte record limit");
        }

        _written[record.Category] = _written.GetValueOrDefault(record.Category) + record.Items;
        Frame(bytes);
    }

    /// <summary>Writes the checksum, flushes to disk and renames the file into place; returns the checksum.</summary>
    /// <exception cref="InvalidOperationException">The records written do not match the header's counts.</exception>
    public byte[] Complete()
    {
        if (_records != _header.Records || _header.Counts.Any(c => c.Value != _written.GetValueOrDefault(c.Key))
            || _written.Any(w => w.Value != _header.Counts.GetValueOrDefault(w.Key)))
        {
            throw new InvalidOperationException($"wrote {_records} records ({string.Join(", ", _written.Select(w => $"{w.Key} {w.Value}"))}) "
                + $"but the header declares {_header.Records} ({_header.DescribeCounts()})");
        }

        var sum = _hash.GetHashAndReset();
        WriteHead(sum.Length, hash: false);
        _stream.Write(sum);
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_temp, _path, overwrite: false);
        _completed = true;
        return sum;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stream.Dispose();
        _hash.Dispose();
        if (!_completed)
        {
            File.Delete(_temp);
        }
    }

    private void Frame(byte[] item)
    {
        WriteHead(item.Length, hash: true);
        _stream.Write(item);
        _hash.AppendData(item);
    }

    // A CBOR byte string head (major type 2) for a length.
    private void WriteHead(long length, bool hash)
    {
        Span<byte> head = stackalloc byte[9];
        var n = BackupFraming.EncodeHead(length, head);
        _stream.Write(head[..n]);
        if (hash)
        {
            _hash.AppendData(head[..n]);
        }
    }
}
