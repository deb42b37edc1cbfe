using System.Text;
using System.Text.Json;

namespace Granary.Silo.Chain;

/// <summary>
/// A wallet key as a keystore file holds it: Lotus's export format, the hex of the JSON KeyInfo
/// <c>{"Type":"secp256k1","PrivateKey":"BASE64"}</c> (what <c>lotus wallet export</c> prints and
/// <c>lotus wallet import</c> reads), so an operator can move the key to a Lotus wallet and back.
/// </summary>
public static class WalletKeyFile
{
    /// <summary>The file text for a 32-byte secp256k1 private key.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new ArgumentException("a secp256k1 private key is 32 bytes", nameof(privateKey));
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["Type"] = "secp256k1",
            ["PrivateKey"] = Convert.ToBase64String(privateKey),
        });
        return Encoding.ASCII.GetBytes(Convert.ToHexStringLower(json));
    }

    /// <summary>Reads file text written by <see cref="Encode"/> (or by <c>lotus wallet export</c>).</summary>
    /// <exception cref="IOException">Not a hex KeyInfo of a 32-byte secp256k1 key; the message names <paramref name="path"/>.</exception>
    public static byte[] Decode(ReadOnlySpan<byte> contents, string path)
    {
        try
        {
            var hex = Encoding.ASCII.GetString(contents).Trim();
            if (hex.Length > 4096)
            {
                throw new FormatException("too long");
            }

            using var doc = JsonDocument.Parse(Convert.FromHexString(hex));
            var type = doc.RootElement.GetProperty("Type").GetString();
            if (type != "secp256k1")
            {
                throw new FormatException($"key type '{type}' is not secp256k1");
            }

            var key = doc.RootElement.GetProperty("PrivateKey").GetBytesFromBase64();
            return key.Length == 32 ? key : throw new FormatException($"the private key is {key.Length} bytes, not 32");
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new IOException($"{path} is not a wallet key (hex of {{\"Type\":\"secp256k1\",\"PrivateKey\":…}}): {e.Message}", e);
        }
    }
}
