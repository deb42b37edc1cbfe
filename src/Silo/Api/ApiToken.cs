using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Granary.Silo.Api;

/// <summary>
/// Lotus-compatible API tokens: JWT HS256 with header <c>{"alg":"HS256","typ":"JWT"}</c> and payload
/// <c>{"Allow":["read",...]}</c>, signed with the repo's secret.
/// </summary>
public sealed class ApiToken(byte[] secret)
{
    /// <summary>Tokens longer than this are refused before any parsing.</summary>
    public const int MaxLength = 4096;

    private static readonly string Header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8);

    /// <summary>Issues a token allowing <paramref name="permissions"/>.</summary>
    public string Issue(IEnumerable<Permission> permissions)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string[]>
        {
            ["Allow"] = [.. permissions.Distinct().Order().Select(p => p.Name())],
        });
        var signingInput = $"{Header}.{Base64Url(payload)}";
        return $"{signingInput}.{Base64Url(Sign(signingInput))}";
    }

    /// <summary>Checks a token's signature and reads its permissions.</summary>
    /// <returns>Null and a reason when the token is malformed, forged or allows nothing known.</returns>
    public IReadOnlyList<Permission>? Verify(string token, out string? reason)
    {
        reason = null;
        if (token.Length is 0 or > MaxLength)
        {
            reason = "token is empty or too long";
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            reason = "token is not a JWT (header.payload.signature)";
            return null;
        }

        if (!TryDecode(parts[2], out var signature)
            || !CryptographicOperations.FixedTimeEquals(signature, Sign($"{parts[0]}.{parts[1]}")))
        {
            reason = "token signature does not match this node's secret";
            return null;
        }

        try
        {
            if (!TryDecode(parts[0], out var header)
                || JsonDocument.Parse(header).RootElement.GetProperty("alg").GetString() != "HS256"
                || !TryDecode(parts[1], out var payload))
            {
                reason = "token header or payload is malformed";
                return null;
            }

            using var doc = JsonDocument.Parse(payload);
            var allowed = new List<Permission>();
            foreach (var item in doc.RootElement.GetProperty("Allow").EnumerateArray())
            {
                if (item.GetString() is { } name && Permissions.TryParse(name, out var p))
                {
                    allowed.Add(p);
                }
            }

            return allowed;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            reason = "token payload is not {\"Allow\":[...]}";
            return null;
        }
    }

    private byte[] Sign(string signingInput) => HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput));

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string text, out byte[] bytes)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
        bytes = new byte[s.Length];
        if (Convert.TryFromBase64String(s, bytes, out var n))
        {
            bytes = bytes[..n];
            return true;
        }

        return false;
    }
}
