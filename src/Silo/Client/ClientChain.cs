using System.Net.Http.Json;
using System.Text.Json;
using Granary.Chain;
using Granary.Chain.Model;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Granary.Grains.Miner;
using Granary.Silo.Cli;

namespace Granary.Silo.Client;

/// <summary>
/// The chain node a storage client talks to: <c>FULLNODE_API_INFO</c> (<c>TOKEN:MULTIADDR</c> of a Lotus node or of
/// <c>granary devnet run</c>) when set, else the running silo of <c>--repo</c> (its <c>api</c> and <c>token</c> files,
/// or <c>MINER_API_INFO</c>), whose <c>/rpc/v1</c> serves the embedded devnet (<see cref="NodeApiEndpoint"/>).
/// </summary>
public sealed class ClientChain : IDisposable
{
    /// <summary>Lotus's environment variable for a full node's API.</summary>
    public const string FullNodeVariable = "FULLNODE_API_INFO";

    /// <summary>How long one message may take to land.</summary>
    public static readonly TimeSpan MessageTimeout = TimeSpan.FromMinutes(3);

    private readonly ChainRpcEndpoint _endpoint;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private ClientChain(ChainRpcClient node, string description)
    {
        Node = node;
        _endpoint = node.Endpoint;
        Description = description;
    }

    /// <summary>The node.</summary>
    public IChainNode Node { get; }

    /// <summary>Where the node is, for messages.</summary>
    public string Description { get; }

    /// <summary>Connects as described above.</summary>
    /// <exception cref="CliError">Neither is available, or the API info is malformed.</exception>
    public static ClientChain Connect(string? repoOption)
    {
        try
        {
            if (Environment.GetEnvironmentVariable(FullNodeVariable) is { Length: > 0 } env)
            {
                var client = ChainRpcClient.FromApiInfo(env.Trim());
                return new ClientChain(client, $"the node at {client.Endpoint} ({FullNodeVariable})");
            }

            var silo = ApiInfo.Resolve(repoOption);
            var node = ChainRpcClient.FromApiInfo($"{silo.Token}:{silo.Multiaddr}");
            return new ClientChain(node, $"the silo's chain at {node.Endpoint}");
        }
        catch (FormatException e)
        {
            throw new CliError($"{FullNodeVariable}: {e.Message}", 2);
        }
    }

    /// <summary>The node wallet's default address (the devnet's faucet); null when the node has none.</summary>
    /// <exception cref="CliError">The node cannot be reached or refused.</exception>
    public async Task<Address?> DefaultWalletAddressAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint.HttpUrl)
        {
            Content = JsonContent.Create(new { jsonrpc = "2.0", method = NodeApiEndpoint.DefaultAddressMethod, @params = Array.Empty<object>(), id = 1 }),
        };
        if (_endpoint.Token is { } token)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliError($"{Description} answered HTTP {(int)response.StatusCode}: {Trim(body)}");
            }

            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("error", out var error))
            {
                return null;
            }

            return doc.RootElement.GetProperty("result").GetString() is { Length: > 0 } text ? Address.Parse(text) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException
            or Filecoin.FilecoinFormatException)
        {
            throw new CliError($"cannot ask {Description} for its default wallet address: {e.Message}");
        }
    }

    /// <summary>Signs <paramref name="message"/> with <paramref name="key"/> (nonce and gas filled in), pushes it and waits for it to land.</summary>
    /// <returns>The landed message.</returns>
    /// <exception cref="CliError">Refused, failed on chain or not landed in time.</exception>
    public async Task<MessageLookup> SendSignedAsync(Message message, byte[] key, string what, TextWriter progress, CancellationToken cancellationToken)
    {
        try
        {
            var nonce = await Node.MpoolGetNonce(message.From, cancellationToken);
            var signed = SignedMessage.SignSecp256k1(MessageGas.Default.Apply(message with { Nonce = nonce }), key);
            var cid = await Node.MpoolPush(signed, cancellationToken);
            return await WaitAsync(cid, what, progress, cancellationToken);
        }
        catch (ChainException e)
        {
            throw new CliError($"{what}: {e.Message}");
        }
    }

    /// <summary>Sends <paramref name="message"/> from an address in the node's wallet (<c>MpoolPushMessage</c>) and waits for it.</summary>
    /// <exception cref="CliError">Refused, failed on chain or not landed in time.</exception>
    public async Task<MessageLookup> SendFromNodeWalletAsync(Message message, string what, TextWriter progress, CancellationToken cancellationToken)
    {
        try
        {
            var signed = await Node.MpoolPushMessage(message, null, cancellationToken);
            return await WaitAsync(signed.Cid(), what, progress, cancellationToken);
        }
        catch (ChainException e)
        {
            throw new CliError($"{what}: {e.Message}");
        }
    }

    /// <summary>The most gas a message with <paramref name="paramsLength"/> bytes of params signed here may cost.</summary>
    public static TokenAmount MaxGas(int paramsLength) => MessageGas.Default.MaxCost(paramsLength);

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        (Node as IDisposable)?.Dispose();
    }

    private async Task<MessageLookup> WaitAsync(Cid cid, string what, TextWriter progress, CancellationToken cancellationToken)
    {
        progress.WriteLine($"{what}: message {cid} sent, waiting for it to land…");
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(MessageTimeout);
        MessageLookup landed;
        try
        {
            landed = await Node.StateWaitMsg(cid, 0, wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliError($"{what}: message {cid} did not land within {MessageTimeout.TotalSeconds:0} s; is the chain producing blocks?");
        }

        if (landed.Receipt.ExitCode != 0)
        {
            throw new CliError($"{what}: message {cid} failed on chain with exit code {landed.Receipt.ExitCode} (epoch {landed.Height})");
        }

        progress.WriteLine($"{what}: landed at epoch {landed.Height}");
        return landed;
    }

    private static string Trim(string body) => body.Length > 300 ? body[..300] + "…" : body;
}
