using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Granary.Silo.Api;

namespace Granary.Silo.Cli;

/// <summary>A JSON-RPC 2.0 client for a silo's <c>/rpc/v0</c>, reporting failures as one-line <see cref="CliError"/>s.</summary>
public sealed class ApiClient(ApiInfo info) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private int _nextId;

    /// <summary>Calls <paramref name="method"/> with positional <paramref name="args"/>.</summary>
    /// <exception cref="CliError">Unreachable silo, refused token or a JSON-RPC error.</exception>
    public async Task<JsonElement> CallAsync(string method, params object?[] args)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, info.RpcUri)
        {
            Content = JsonContent.Create(new { jsonrpc = "2.0", method, @params = args, id = Interlocked.Increment(ref _nextId) }, options: RpcJson.Options),
        };
        request.Headers.Authorization = new("Bearer", info.Token);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new CliError($"cannot reach the granary API at {info.Multiaddr} ({e.InnerException?.Message ?? e.Message}); is `granary run` running?");
        }
        catch (TaskCanceledException)
        {
            throw new CliError($"the granary API at {info.Multiaddr} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                throw new CliError($"the API refused the token: {TryMessage(body, "error") ?? "unauthorized"}");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new CliError($"the API answered HTTP {(int)response.StatusCode}: {body}");
            }

            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("error", out var error))
            {
                throw new CliError($"{method}: {error.GetProperty("message").GetString()}");
            }

            return doc.RootElement.GetProperty("result").Clone();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static string? TryMessage(string body, string property)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty(property, out var p) ? p.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
