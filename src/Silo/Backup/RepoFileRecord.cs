using System.Formats.Cbor;

namespace Granary.Silo.Backup;

/// <summary>
/// A file of the repo: <c>config.toml</c>, <c>miner.json</c>, <c>storage.json</c> or <c>keystore/NAME</c>, with its
/// Unix mode (keystore files are restored 0600 whatever the record says).
/// </summary>
public sealed record RepoFileRecord(string Path, int Mode, byte[] Contents) : BackupRecord
{
    internal const string Type = "file";

    /// <summary>The keystore folder's prefix in <see cref="Path"/>.</summary>
    public const string KeystorePrefix = "keystore/";

    /// <inheritdoc />
    public override string Category => Path switch
    {
        "miner.json" => BackupCategories.Miner,
        "storage.json" => BackupCategories.Storage,
        "config.toml" => BackupCategories.Config,
        _ => BackupCategories.Keys,
    };

    /// <summary>Whether a relative path is one a backup may carry (no traversal, only the known files).</summary>
    public static bool IsAllowed(string path) => path is "config.toml" or "miner.json" or "storage.json"
        || (path.StartsWith(KeystorePrefix, StringComparison.Ordinal) && path.Length > KeystorePrefix.Length && path.Length <= 128
            && path[KeystorePrefix.Length..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            && !path[KeystorePrefix.Length..].StartsWith('.'));

    /// <inheritdoc />
    protected override void Write(CborWriter writer)
    {
        writer.WriteStartArray(4);
        writer.WriteTextString(Type);
        writer.WriteTextString(Path);
        writer.WriteInt32(Mode);
        writer.WriteByteString(Contents);
        writer.WriteEndArray();
    }

    internal static RepoFileRecord Read(CborReader reader, int length)
    {
        Expect(length, 4, Type);
        var record = new RepoFileRecord(reader.ReadTextString(), reader.ReadInt32(), reader.ReadByteString());
        if (!IsAllowed(record.Path))
        {
            throw new BackupFormatException($"file '{Printable(record.Path)}' is not a repo file a backup may restore");
        }

        if (record.Mode is < 0 or > 0x1FF)
        {
            throw new BackupFormatException($"file {record.Path} has mode {record.Mode}, outside 0..0777");
        }

        return record;
    }
}
