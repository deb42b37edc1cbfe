using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Granary.Chain.Json;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Rpc;

/// <summary>
/// <see cref="IChainNode"/> over a node's JSON-RPC API (Lotus, or <c>granary devnet run</c>): each call is a
/// JSON-RPC 2.0 POST of <c>Filecoin.&lt;Method&gt;</c> with Lotus JSON params and a bearer token;
/// <see cref="ChainNotify"/> subscribes over a websocket with go-jsonrpc's channel protocol, as Lotus streams
/// head changes only that way.
/// </summary>
/// <remarks>
/// A JSON-RPC error from the node throws <see cref="ChainRpcException"/> (a <see cref="ChainException"/>) with
/// the node's message and code. Not reaching the node, an HTTP failure, a timeout or an answer that is not
/// JSON-RPC throws <see cref="ChainUnavailableException"/> naming the endpoint.
/// </remarks>
public sealed class ChainRpcClient : IChainNode, IDisposable
{
    private readonly HttpClient _http;
    private readonly ChainRpcClientOptions _options;
    private readonly JsonSerializerOptions _json;
    private long _nextId;

    /// <summary>A client of the node at <paramref name="endpoint"/>.</summary>
    public ChainRpcClient(ChainRpcEndpoint endpoint, ChainRpcClientOptions? options = null)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        _options = options ?? new ChainRpcClientOptions();
        _json = LotusJson.CreateOptions(_options.AddressNetwork);
        _http = new HttpClient(_options.Handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>A client from Lotus's <c>TOKEN:MULTIADDR</c> (e.g. <c>FULLNODE_API_INFO</c>) or a URL; see <see cref="ChainRpcEndpoint.Parse"/>.</summary>
    /// <exception cref="FormatException">Not an address this client can dial.</exception>
    public static ChainRpcClient FromApiInfo(string apiInfo, ChainRpcClientOptions? options = null, string apiVersion = "v1") =>
        new(ChainRpcEndpoint.Parse(apiInfo, apiVersion), options);

    /// <summary>The node called.</summary>
    public ChainRpcEndpoint Endpoint { get; }

    /// <inheritdoc />
    public Task<TipSet> ChainHead(CancellationToken cancellationToken = default) =>
        Call<TipSet>("ChainHead", [], cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<IReadOnlyList<HeadChange>> ChainNotify([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var subscription = await ChainNotifySubscription.OpenAsync(Endpoint, _options, _json, cancellationToken).ConfigureAwait(false);
        while (await subscription.NextAsync(cancellationToken).ConfigureAwait(false) is { } changes)
        {
            yield return changes;
        }
    }

    /// <inheritdoc />
    public Task<TipSet> ChainGetTipSetByHeight(long height, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<TipSet>("ChainGetTipSetByHeight", [RpcArgument.Of(height), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<MinerInfo> StateMinerInfo(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<MinerInfo>("StateMinerInfo", [RpcArgument.Of(miner), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<MinerPower> StateMinerPower(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<MinerPower>("StateMinerPower", [RpcArgument.Of(miner), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<DeadlineInfo> StateMinerProvingDeadline(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<DeadlineInfo>("StateMinerProvingDeadline", [RpcArgument.Of(miner), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Deadline>> StateMinerDeadlines(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<Deadline>>("StateMinerDeadlines", [RpcArgument.Of(miner), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Partition>> StateMinerPartitions(Address miner, ulong deadline, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<Partition>>("StateMinerPartitions", [RpcArgument.Of(miner), RpcArgument.Of(deadline), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<BitField> StateMinerFaults(Address miner, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<BitField>("StateMinerFaults", [RpcArgument.Of(miner), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<SectorPreCommitOnChainInfo?> StateSectorPreCommitInfo(Address miner, ulong sector, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        CallNullable<SectorPreCommitOnChainInfo>("StateSectorPreCommitInfo", [RpcArgument.Of(miner), RpcArgument.Of(sector), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<SectorOnChainInfo?> StateSectorGetInfo(Address miner, ulong sector, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        CallNullable<SectorOnChainInfo>("StateSectorGetInfo", [RpcArgument.Of(miner), RpcArgument.Of(sector), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<MarketDeal> StateMarketStorageDeal(ulong dealId, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<MarketDeal>("StateMarketStorageDeal", [RpcArgument.Of(dealId), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<MarketBalance> StateMarketBalance(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<MarketBalance>("StateMarketBalance", [RpcArgument.Of(address), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<Address> StateLookupID(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<Address>("StateLookupID", [RpcArgument.Of(address), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<Address> StateAccountKey(Address address, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<Address>("StateAccountKey", [RpcArgument.Of(address), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<byte[]> StateGetRandomnessFromTickets(DomainSeparationTag tag, long epoch, byte[] entropy, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<byte[]>("StateGetRandomnessFromTickets", [RpcArgument.Of(tag), RpcArgument.Of(epoch), RpcArgument.Of(entropy), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<byte[]> StateGetRandomnessFromBeacon(DomainSeparationTag tag, long epoch, byte[] entropy, TipSetKey? tipSet, CancellationToken cancellationToken = default) =>
        Call<byte[]>("StateGetRandomnessFromBeacon", [RpcArgument.Of(tag), RpcArgument.Of(epoch), RpcArgument.Of(entropy), Key(tipSet)], cancellationToken);

    /// <inheritdoc />
    public Task<Cid> MpoolPush(SignedMessage message, CancellationToken cancellationToken = default) =>
        Call<Cid>("MpoolPush", [RpcArgument.Of(message)], cancellationToken);

    /// <inheritdoc />
    public Task<SignedMessage> MpoolPushMessage(Message message, MessageSendSpec? spec, CancellationToken cancellationToken = default) =>
        Call<SignedMessage>("MpoolPushMessage", [RpcArgument.Of(message), RpcArgument.Of(spec)], cancellationToken);

    /// <inheritdoc />
    public Task<ulong> MpoolGetNonce(Address address, CancellationToken cancellationToken = default) =>
        Call<ulong>("MpoolGetNonce", [RpcArgument.Of(address)], cancellationToken);

    /// <inheritdoc />
    /// <remarks>v1 sends Lotus's four params (no lookback limit, replaced messages allowed); v0 its two.</remarks>
    public Task<MessageLookup> StateWaitMsg(Cid message, ulong confidence, CancellationToken cancellationToken = default) =>
        Call<MessageLookup>("StateWaitMsg",
            Endpoint.ApiVersion == "v0"
                ? [RpcArgument.Of(message), RpcArgument.Of(confidence)]
                : [RpcArgument.Of(message), RpcArgument.Of(confidence), RpcArgument.Of(-1L), RpcArgument.Of(true)],
            cancellationToken, waitsForChain: true);

    /// <inheritdoc />
    public Task<Address> WalletNew(WalletKeyType type, CancellationToken cancellationToken = default) =>
        Call<Address>("WalletNew", [RpcArgument.Of(type)], cancellationToken);

    /// <inheritdoc />
    public Task<TokenAmount> WalletBalance(Address address, CancellationToken cancellationToken = default) =>
        Call<TokenAmount>("WalletBalance", [RpcArgument.Of(address)], cancellationToken);

    /// <inheritdoc />
    public Task<Signature> WalletSign(Address address, byte[] data, CancellationToken cancellationToken = default) =>
        Call<Signature>("WalletSign", [RpcArgument.Of(address), RpcArgument.Of(data)], cancellationToken);

    /// <inheritdoc />
    public Task<bool> WalletVerify(Address address, byte[] data, Signature signature, CancellationToken cancellationToken = default) =>
        Call<bool>("WalletVerify", [RpcArgument.Of(address), RpcArgument.Of(data), RpcArgument.Of(signature)], cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>Lotus's empty tipset key <c>[]</c> means the head, as null does here.</summary>
    private static RpcArgument Key(TipSetKey? tipSet) => RpcArgument.Of(tipSet ?? new TipSetKey([]));

    private async Task<T> Call<T>(string method, RpcArgument[] arguments, CancellationToken cancellationToken, bool waitsForChain = false) =>
        (await CallCore<T>(method, arguments, cancellationToken, waitsForChain, allowNull: false).ConfigureAwait(false))!;

    private Task<T?> CallNullable<T>(string method, RpcArgument[] arguments, CancellationToken cancellationToken) =>
        CallCore<T>(method, arguments, cancellationToken, waitsForChain: false, allowNull: true);

    private async Task<T?> CallCore<T>(string method, RpcArgument[] arguments, CancellationToken cancellationToken, bool waitsForChain, bool allowNull)
    {
        var name = "Filecoin." + method;
        var body = JsonRpcFrames.Request(Interlocked.Increment(ref _nextId), name, arguments, _json);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (!waitsForChain)
        {
            timeout.CancelAfter(_options.RequestTimeout);
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.HttpUrl) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (Endpoint.Token is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var payload = await ReadBodyAsync(response, name, timeout.Token).ConfigureAwait(false);
            return ParseResponse<T>(response.StatusCode, payload, name, allowNull);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ChainUnavailableException($"{Endpoint} did not answer {name} within {_options.RequestTimeout.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new ChainUnavailableException($"cannot reach the chain node at {Endpoint} ({name}): {e.Message}", e);
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string method, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > LotusJson.MaxDocumentBytes)
        {
            throw new ChainUnavailableException($"{Endpoint} answered {method} with {response.Content.Headers.ContentLength} bytes, more than {LotusJson.MaxDocumentBytes}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > LotusJson.MaxDocumentBytes)
            {
                throw new ChainUnavailableException($"{Endpoint} answered {method} with more than {LotusJson.MaxDocumentBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private T? ParseResponse<T>(HttpStatusCode status, byte[] payload, string method, bool allowNull)
    {
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ChainUnavailableException($"{Endpoint} refused {method}: HTTP {(int)status} {status} (check the API token)");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = LotusJson.MaxDepth });
        }
        catch (JsonException e)
        {
            throw new ChainUnavailableException(
                (int)status is >= 200 and < 300
                    ? $"{Endpoint} answered {method} with something that is not JSON: {e.Message}"
                    : $"{Endpoint} answered {method} with HTTP {(int)status} {status}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ChainUnavailableException($"{Endpoint} answered {method} with JSON that is not a JSON-RPC response (HTTP {(int)status})");
            }

            // go-jsonrpc answers errors with HTTP 500 and a JSON-RPC error body: the body says what happened.
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                throw RpcError(error, method);
            }

            if (!root.TryGetProperty("result", out var result))
            {
                throw new ChainUnavailableException($"{Endpoint} answered {method} without a result (HTTP {(int)status})");
            }

            if (result.ValueKind == JsonValueKind.Null)
            {
                return allowNull ? default : throw new ChainUnavailableException($"{Endpoint} answered {method} with null");
            }

            try
            {
                return LotusJson.Deserialize<T>(result, _json);
            }
            catch (JsonException e)
            {
                throw new ChainUnavailableException($"{Endpoint} answered {method} with a result that is not a {typeof(T).Name}: {e.Message}", e);
            }
        }
    }

    /// <summary>A JSON-RPC error object as the exception it stands for.</summary>
    internal static ChainRpcException RpcError(JsonElement error, string method)
    {
        var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "(no message)";
        return new ChainRpcException(message, code, method);
    }
}
