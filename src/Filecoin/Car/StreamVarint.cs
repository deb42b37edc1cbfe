using Granary.Filecoin.Encoding;

namespace Granary.Filecoin.Car;

/// <summary>Reads varints from a stream one byte at a time.</summary>
internal static class StreamVarint
{
    /// <summary>Reads a varint, or returns null at a clean end of stream.</summary>
    public static async Task<(ulong Value, int Length)?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[Varint.MaxBytes];
        for (var i = 0; i < Varint.MaxBytes; i++)
        {
            if (await stream.ReadAsync(buffer.AsMemory(i, 1), cancellationToken) == 0)
            {
                return i == 0 ? null : throw new FilecoinFormatException("CAR varint is truncated");
            }

            if ((buffer[i] & 0x80) == 0)
            {
                return (Varint.Read(buffer.AsSpan(0, i + 1), out var n), n);
            }
        }

        throw new FilecoinFormatException($"CAR varint is longer than {Varint.MaxBytes} bytes");
    }
}
