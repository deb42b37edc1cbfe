using System.Buffers.Binary;

namespace Granary.Silo.Backup;

/// <summary>The CBOR byte string heads that frame a backup file's items.</summary>
internal static class BackupFraming
{
    /// <summary>The trailer: a 32-byte byte string head and the SHA-256.</summary>
    public const int TrailerBytes = 2 + 32;

    public static int EncodeHead(long length, Span<byte> head)
    {
        const byte major = 2 << 5;
        switch (length)
        {
            case < 24:
                head[0] = (byte)(major | length);
                return 1;
            case <= byte.MaxValue:
                head[0] = major | 24;
                head[1] = (byte)length;
                return 2;
            case <= ushort.MaxValue:
                head[0] = major | 25;
                BinaryPrimitives.WriteUInt16BigEndian(head[1..], (ushort)length);
                return 3;
            case <= uint.MaxValue:
                head[0] = major | 26;
                BinaryPrimitives.WriteUInt32BigEndian(head[1..], (uint)length);
                return 5;
            default:
                head[0] = major | 27;
                BinaryPrimitives.WriteUInt64BigEndian(head[1..], (ulong)length);
                return 9;
        }
    }
}
