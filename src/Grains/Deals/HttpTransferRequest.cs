using System.Text.Json;
using System.Text.Json.Serialization;

namespace Granary.Grains.Deals;

/// <summary>
/// The params of an <c>http</c> transfer: Boost's <c>HttpRequest</c> JSON, <c>{"URL":"…","Headers":{…}}</c> (Go's
/// default field names). The URL is where the provider pulls the CAR file from, with the headers (e.g. an
/// authorization token).
/// </summary>
public sealed record HttpTransferRequest(
    [property: JsonPropertyName("URL")] string Url,
    [property: JsonPropertyName("Headers")] IReadOnlyDictionary<string, string>? Headers)
{
    /// <summary>Largest params accepted (cbor-gen's byte string limit).</summary>
    public const int MaxBytes = 2 << 20;

    private static readonly JsonSerializerOptions Json = new() { MaxDepth = 8, PropertyNameCaseInsensitive = true };

    /// <summary>Reads the JSON and checks the URL is an absolute <c>http</c> or <c>https</c> URL.</summary>
    /// <exception cref="FormatException">Not the JSON of an HTTP request, or the URL is not http(s).</exception>
    public static HttpTransferRequest Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes)
        {
            throw new FormatException($"transfer params of {json.Length} bytes are longer than {MaxBytes}");
        }

        HttpTransferRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<HttpTransferRequest>(json, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"transfer params are not {{\"URL\":…,\"Headers\":…}} JSON: {e.Message}");
        }

        if (request?.Url is not { Length: > 0 } url)
        {
            throw new FormatException("transfer params have no URL");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new FormatException($"transfer URL '{url}' is not an http or https URL");
        }

        return request;
    }

    /// <summary>The JSON bytes.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
}
