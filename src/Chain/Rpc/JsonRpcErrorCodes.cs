namespace Granary.Chain.Rpc;

/// <summary>JSON-RPC 2.0 error codes as go-jsonrpc (and so Lotus) uses them.</summary>
public static class JsonRpcErrorCodes
{
    /// <summary>The request is not JSON.</summary>
    public const int ParseError = -32700;

    /// <summary>The JSON is not a request object (or a batch of them).</summary>
    public const int InvalidRequest = -32600;

    /// <summary>No such method.</summary>
    public const int MethodNotFound = -32601;

    /// <summary>Wrong number or type of params.</summary>
    public const int InvalidParams = -32602;

    /// <summary>The method failed: go-jsonrpc's code for an error a method returns, with the chain's reason as the message.</summary>
    public const int MethodError = 1;
}
