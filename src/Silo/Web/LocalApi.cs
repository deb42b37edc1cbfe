using System.Text.Json;
using Granary.Silo.Api;

namespace Granary.Silo.Web;

/// <summary>
/// The silo's own JSON-RPC methods called in process (no HTTP, no token): the web UI and the metrics collector read
/// through them, so they show exactly what <c>granary …</c> and the <c>Filecoin.*</c> API answer, from the same grains.
/// </summary>
public sealed class LocalApi(IEnumerable<RpcMethod> methods)
{
    private readonly Dictionary<string, RpcMethod> _methods = methods.ToDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>The permission the method needs on the API port.</summary>
    /// <exception cref="KeyNotFoundException">No such method.</exception>
    public Permission Required(string method) => Method(method).Required;

    /// <summary>Calls <c>Filecoin.<paramref name="method"/></c> with positional <paramref name="args"/>; the result as JSON.</summary>
    /// <exception cref="RpcException">The method's own refusal (no miner, no such sector, …).</exception>
    public async Task<JsonElement> CallAsync(string method, CancellationToken cancellationToken, params object?[] args)
    {
        var items = args.Select(a => JsonSerializer.SerializeToElement(a, RpcJson.Options)).ToArray();
        var result = await Method(method).Invoke(new RpcParams(items), cancellationToken);
        return JsonSerializer.SerializeToElement(result, RpcJson.Options);
    }

    private RpcMethod Method(string method) => _methods.TryGetValue("Filecoin." + method, out var m) ? m
        : throw new KeyNotFoundException($"no API method Filecoin.{method}");
}
