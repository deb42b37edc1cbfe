using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Granary.Silo.Api;

namespace Granary.Silo.Cli;

/// <summary>A JSON-RPC 2.0 client for a silo's <c>/rpc/v0</c>, reporting failures as one-line <see cref="CliError"/>s.</summary>
public sealed class ApiClient(ApiInfo info, string? unreachableHint = null) : IDisposable
{
    /// <summary>How long a call waits for the silo unless it says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private int _nextId;

    /// <summary>Calls <paramref name="method"/> with positional <paramref name="args"/>, waiting <see cref="DefaultTimeout"/>.</summary>
    /// <exception cref="CliError">Unreachable silo, refused token, a JSON-RPC error or no answer in time.</exception>
    public Task<JsonElement> CallAsync(string method, params object?[] args) => CallAsync(method, args, DefaultTimeout);

    /// <summary>Calls <paramref name="method"/> with positional <paramref name="args"/>, waiting up to <paramref name="timeout"/>.</summary>
    /// <exception cref="CliError">Unreachable silo, refused token, a JSON-RPC error or no answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<JsonElement> CallAsync(string method, object?[] args, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, info.RpcUri)
        {
            Content = JsonContent.Create(new { jsonrpc = "2.0", method, @params = args, id = Interlocked.Increment(ref _nextId) }, options: RpcJson.Options),
        };
        request.Headers.Authorization = new("Bearer", info.Token);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        HttpResponseMessage response;
        string body;
        try
        {
            response = await _http.SendAsync(request, deadline.Token);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new CliError($"cannot reach the granary API at {info.Multiaddr} ({e.InnerException?.Message ?? e.Message}); is `granary run` running?"
                + (unreachableHint is null ? "" : $" ({unreachableHint})"));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(timeout);
        }

        using (response)
        {
            try
            {
                body = await response.Content.ReadAsStringAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(timeout);
            }

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

    private CliError TimedOut(TimeSpan timeout) =>
        new($"the granary API at {info.Multiaddr} did not answer within {(timeout.TotalHours >= 1 ? $"{timeout.TotalHours:0.#} h" : $"{timeout.TotalSeconds:0} s")}");

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
