using System.Buffers;
using System.Text.Json;

namespace Granary.Chain.Rpc;

/// <summary>Writes JSON-RPC 2.0 frames: requests, results, errors and go-jsonrpc's channel notifications.</summary>
internal static class JsonRpcFrames
{
    /// <summary>A call: <c>{"jsonrpc":"2.0","id":…,"method":…,"params":[…]}</c>.</summary>
    public static byte[] Request(long id, string method, IReadOnlyList<RpcArgument> arguments, JsonSerializerOptions options) =>
        Write(w =>
        {
            w.WriteString("jsonrpc", "2.0");
            w.WriteNumber("id", id);
            w.WriteString("method", method);
            w.WriteStartArray("params");
            foreach (var argument in arguments)
            {
                JsonSerializer.Serialize(w, argument.Value, argument.Type, options);
            }

            w.WriteEndArray();
        });

    /// <summary>A successful response.</summary>
    public static byte[] Result(JsonElement? id, object? value, Type type, JsonSerializerOptions options) =>
        Write(w =>
        {
            w.WriteString("jsonrpc", "2.0");
            WriteId(w, id);
            w.WritePropertyName("result");
            JsonSerializer.Serialize(w, value, type, options);
        });

    /// <summary>An error response.</summary>
    public static byte[] Error(JsonElement? id, int code, string message) =>
        Write(w =>
        {
            w.WriteString("jsonrpc", "2.0");
            WriteId(w, id);
            w.WriteStartObject("error");
            w.WriteNumber("code", code);
            w.WriteString("message", message);
            w.WriteEndObject();
        });

    /// <summary>A notification (no id) whose params the caller writes.</summary>
    public static byte[] Notification(string method, Action<Utf8JsonWriter> writeParams) =>
        Write(w =>
        {
            w.WriteString("jsonrpc", "2.0");
            w.WriteString("method", method);
            w.WriteStartArray("params");
            writeParams(w);
            w.WriteEndArray();
        });

    private static void WriteId(Utf8JsonWriter writer, JsonElement? id)
    {
        writer.WritePropertyName("id");
        if (id is { } value)
        {
            value.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>One positional param of a call and the type it is written as.</summary>
internal readonly record struct RpcArgument(object? Value, Type Type)
{
    public static RpcArgument Of<T>(T value) => new(value, typeof(T));
}
