using System.Text.Json;

namespace Granary.Silo.Api;

/// <summary>One JSON-RPC method: its <c>Filecoin.*</c> name, the permission it needs, and its body.</summary>
/// <param name="Invoke">Receives the positional params; returns a value serialized as the result.</param>
public sealed record RpcMethod(string Name, Permission Required, Func<RpcParams, CancellationToken, Task<object?>> Invoke);

/// <summary>Positional JSON-RPC params with typed, checked access.</summary>
public sealed class RpcParams(JsonElement[] items)
{
    /// <summary>How many params were given.</summary>
    public int Count => items.Length;

    /// <summary>Reads param <paramref name="index"/> as <typeparamref name="T"/>.</summary>
    /// <exception cref="RpcException">Missing or of the wrong type (JSON-RPC invalid params).</exception>
    public T Get<T>(int index, string name)
    {
        if (index >= items.Length)
        {
            throw new RpcException(RpcException.InvalidParams, $"missing param {index} ({name})");
        }

        try
        {
            return items[index].Deserialize<T>(RpcJson.Options)
                ?? throw new RpcException(RpcException.InvalidParams, $"param {index} ({name}) is null");
        }
        catch (JsonException e)
        {
            throw new RpcException(RpcException.InvalidParams, $"param {index} ({name}): {e.Message}");
        }
    }
}

/// <summary>A JSON-RPC error to return to the caller.</summary>
public sealed class RpcException(int code, string message) : Exception(message)
{
    /// <summary>Lotus's code for errors raised by a method (including permission refusals).</summary>
    public const int MethodError = 1;

    /// <summary>JSON-RPC 2.0: the body is not JSON.</summary>
    public const int ParseError = -32700;

    /// <summary>JSON-RPC 2.0: not a valid request object.</summary>
    public const int InvalidRequest = -32600;

    /// <summary>JSON-RPC 2.0: no such method.</summary>
    public const int MethodNotFound = -32601;

    /// <summary>JSON-RPC 2.0: wrong params.</summary>
    public const int InvalidParams = -32602;

    /// <summary>JSON-RPC 2.0: the server failed.</summary>
    public const int InternalError = -32603;

    /// <summary>The JSON-RPC error code.</summary>
    public int Code { get; } = code;
}

/// <summary>JSON settings shared by the server and the CLI client: Lotus uses PascalCase field names.</summary>
public static class RpcJson
{
    /// <summary>The options.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        MaxDepth = 64,
    };
}
