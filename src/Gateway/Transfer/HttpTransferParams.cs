using System.Text.Json;

namespace Granary.Gateway.Transfer;

/// <summary>
/// Boost's <c>Transfer.Params</c> for <c>Type = "http"</c>: the JSON of Go's <c>HttpRequest{URL string; Headers
/// map[string]string}</c>, i.e. <c>{"URL":"https://…","Headers":{"Authorization":"…"}}</c>. Go matches JSON keys
/// case-insensitively, so <c>url</c>/<c>headers</c> are accepted too. Headers that would break or redirect the transfer
/// itself (<c>Host</c>, <c>Range</c>, framing and hop-by-hop headers) are refused.
/// </summary>
/// <param name="Url">The URL to GET.</param>
/// <param name="Headers">Headers to send with every request.</param>
public sealed record HttpTransferParams(Uri Url, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The transfer type these params are for.</summary>
    public const string TransferType = "http";

    /// <summary>Longest params JSON accepted.</summary>
    public const int MaxBytes = 64 << 10;

    /// <summary>Most headers accepted.</summary>
    public const int MaxHeaders = 64;

    private static readonly HashSet<string> RefusedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Range", "If-Range", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer",
        "Expect", "Proxy-Authorization", "Proxy-Connection",
    };

    /// <summary>Parses and checks the params bytes of a deal's transfer.</summary>
    /// <exception cref="FormatException">With what is wrong.</exception>
    public static HttpTransferParams Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length == 0 || json.Length > MaxBytes)
        {
            throw new FormatException($"transfer params must be 1..{MaxBytes} bytes of JSON, not {json.Length}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"transfer params are not JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("transfer params must be a JSON object {\"URL\":…,\"Headers\":{…}}");
            }

            string? url = null;
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("URL") || string.Equals(property.Name, "url", StringComparison.OrdinalIgnoreCase))
                {
                    url = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : throw new FormatException("transfer params URL must be a string");
                }
                else if (string.Equals(property.Name, "Headers", StringComparison.OrdinalIgnoreCase))
                {
                    ReadHeaders(property.Value, headers);
                }
            }

            if (string.IsNullOrEmpty(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                throw new FormatException("transfer params have no absolute URL");
            }

            if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new FormatException($"transfer URL '{(url.Length <= 200 ? url : url[..200])}' is not an http or https URL");
            }

            return new HttpTransferParams(uri, headers);
        }
    }

    private static void ReadHeaders(JsonElement value, Dictionary<string, string> headers)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("transfer params Headers must be an object of strings");
        }

        foreach (var header in value.EnumerateObject())
        {
            if (headers.Count >= MaxHeaders)
            {
                throw new FormatException($"transfer params have more than {MaxHeaders} headers");
            }

            if (header.Value.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"transfer header '{header.Name}' must be a string");
            }

            var text = header.Value.GetString()!;
            if (header.Name.Length == 0 || header.Name.Any(c => c <= ' ' || c >= 0x7f || c == ':') || text.Any(c => c is '\r' or '\n' or '\0'))
            {
                throw new FormatException($"transfer header '{header.Name}' is not a valid HTTP header");
            }

            if (RefusedHeaders.Contains(header.Name))
            {
                throw new FormatException($"transfer header '{header.Name}' is set by the provider, not the client");
            }

            headers[header.Name] = text;
        }
    }
}
