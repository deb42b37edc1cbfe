using System.Text;

namespace Granary.Libp2p.Multiaddrs;

/// <summary>Short, printable renderings of untrusted input for exception messages.</summary>
internal static class Excerpt
{
    private const int MaxChars = 100;
    private const int MaxBytes = 48;

    /// <summary>At most 100 characters; control characters shown as <c>\uXXXX</c>.</summary>
    public static string Of(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxChars) + 8);
        foreach (var c in text[..Math.Min(text.Length, MaxChars)])
        {
            if (char.IsControl(c))
            {
                builder.Append($"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        if (text.Length > MaxChars)
        {
            builder.Append($"… ({text.Length} characters)");
        }

        return builder.ToString();
    }

    /// <summary>Hex of at most 48 bytes, with <c>0x</c>.</summary>
    public static string OfBytes(ReadOnlySpan<byte> bytes) => bytes.Length <= MaxBytes
        ? "0x" + Convert.ToHexStringLower(bytes)
        : $"0x{Convert.ToHexStringLower(bytes[..MaxBytes])}… ({bytes.Length} bytes)";
}
