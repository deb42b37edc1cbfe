namespace Granary.Chain.Rpc;

/// <summary>The node answered a call with a JSON-RPC error: <see cref="Exception.Message"/> is the node's message.</summary>
/// <param name="message">The node's error message.</param>
/// <param name="code">The JSON-RPC error code (1 for a method's error; see <see cref="JsonRpcErrorCodes"/>).</param>
/// <param name="method">The method called (<c>Filecoin.…</c>).</param>
public sealed class ChainRpcException(string message, int code, string method) : ChainException(message)
{
    /// <summary>The JSON-RPC error code.</summary>
    public int Code { get; } = code;

    /// <summary>The method called.</summary>
    public string Method { get; } = method;
}
