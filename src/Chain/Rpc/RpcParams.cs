using System.Text.Json;
using Granary.Chain.Json;
using Granary.Chain.Model;

namespace Granary.Chain.Rpc;

/// <summary>The positional params of one call, read as Lotus JSON; a bad param is a -32602 error naming it.</summary>
internal sealed class RpcParams(string method, IReadOnlyList<JsonElement> values, JsonSerializerOptions options)
{
    /// <summary>How many were given.</summary>
    public int Count => values.Count;

    /// <summary>A param that must be present and not null.</summary>
    public T Required<T>(int index, string name)
    {
        if (index >= values.Count || values[index].ValueKind == JsonValueKind.Null)
        {
            throw Invalid(index, name, "is missing");
        }

        return Read<T>(index, name) ?? throw Invalid(index, name, "is missing");
    }

    /// <summary>A param that may be absent or null (then <c>default</c>).</summary>
    public T? Optional<T>(int index, string name) =>
        index >= values.Count || values[index].ValueKind == JsonValueKind.Null ? default : Read<T>(index, name);

    /// <summary>A tipset key; absent, null or <c>[]</c> (Lotus's <c>EmptyTSK</c>) all mean the head.</summary>
    public TipSetKey? TipSet(int index)
    {
        var key = Optional<TipSetKey>(index, "tipset key");
        return key is { Cids.Count: 0 } ? null : key;
    }

    private T? Read<T>(int index, string name)
    {
        try
        {
            return values[index].Deserialize<T>(options);
        }
        catch (JsonException e)
        {
            throw Invalid(index, name, $"is not valid: {LotusJsonMessage(e)}");
        }
    }

    private RpcParamsException Invalid(int index, string name, string problem) =>
        new($"{method}: param {index + 1} ({name}) {problem}");

    private static string LotusJsonMessage(JsonException e)
    {
        var cut = e.Message.IndexOf(" Path: ", StringComparison.Ordinal);
        var message = cut < 0 ? e.Message : e.Message[..cut];
        return e.Path is null or "$" ? message : $"{message} (at {e.Path})";
    }
}

/// <summary>A call's params are missing or malformed: JSON-RPC's -32602.</summary>
internal sealed class RpcParamsException(string message) : Exception(message);
