using System.Text;
using System.Text.Json;

namespace Granary.Chain.Json;

/// <summary>
/// Lotus's JSON conventions for the chain API: CIDs as <c>{"/": "bafy…"}</c>, addresses as strings, big integers
/// and token amounts as decimal strings (attoFIL), bytes as base64 (Go's <c>[]byte</c>), bitfields as run-length
/// arrays, and Lotus's field names for every chain type (filecoin-project/lotus <c>api/</c>,
/// <c>chain/types</c>).
/// </summary>
/// <remarks>
/// Addresses are accepted with either network prefix and written with the one the options were made for. Lotus
/// prints with the prefix of its build: <c>f</c> on mainnet, <c>t</c> on every test network including the 2k
/// devnet (<c>build/buildconstants/params_2k.go</c>: <c>SetAddressNetwork(address.Testnet)</c>), so the devnet's
/// default is <c>t</c>. Input is bounded: <see cref="MaxDocumentBytes"/>, <see cref="MaxDepth"/>,
/// <see cref="MaxArrayLength"/> and <see cref="MaxBitFieldMembers"/>; malformed input throws
/// <see cref="JsonException"/> naming the field and its JSON path.
/// </remarks>
public static class LotusJson
{
    /// <summary>Largest JSON document read (a request, a response, a websocket message).</summary>
    public const int MaxDocumentBytes = 16 << 20;

    /// <summary>Deepest nesting read.</summary>
    public const int MaxDepth = 64;

    /// <summary>Longest array read (lists of deadlines, partitions, addresses, deal ids, CIDs).</summary>
    public const int MaxArrayLength = 100_000;

    /// <summary>Most members a bitfield read from JSON may have (each member is held in memory).</summary>
    public const ulong MaxBitFieldMembers = 1 << 20;

    /// <summary>Longest run-length array of a bitfield.</summary>
    public const int MaxBitFieldRuns = 1 << 20;

    /// <summary>Options writing addresses with the testnet prefix <c>t</c>, as a Lotus devnet does.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions('t');

    /// <summary>Options writing addresses with the mainnet prefix <c>f</c>.</summary>
    public static JsonSerializerOptions MainnetOptions { get; } = CreateOptions('f');

    /// <summary>Options for Lotus JSON writing addresses with <paramref name="network"/> (<c>f</c> or <c>t</c>).</summary>
    public static JsonSerializerOptions CreateOptions(char network)
    {
        if (network is not ('f' or 't'))
        {
            throw new ArgumentOutOfRangeException(nameof(network), network, "the network prefix is f (mainnet) or t (test networks)");
        }

        var options = new JsonSerializerOptions
        {
            MaxDepth = MaxDepth,
            PropertyNamingPolicy = null,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            Converters =
            {
                new CidJsonConverter(),
                new AddressJsonConverter(network),
                new BigIntegerJsonConverter(),
                new TokenAmountJsonConverter(),
                new BytesJsonConverter(),
                new BitFieldJsonConverter(),
                new TipSetKeyJsonConverter(),
                new TipSetJsonConverter(),
                new BlockHeaderJsonConverter(),
                new SignatureJsonConverter(),
                new MessageJsonConverter(),
                new SignedMessageJsonConverter(),
                new MinerInfoJsonConverter(),
                new DeadlineInfoJsonConverter(),
                new DeadlineJsonConverter(),
                new SectorPreCommitInfoJsonConverter(),
                new SectorOnChainInfoJsonConverter(),
                new DealProposalJsonConverter(),
                new HeadChangeJsonConverter(),
                new WalletKeyTypeJsonConverter(),
                new BoundedListJsonConverterFactory(),
            },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Reads a Lotus JSON document.</summary>
    /// <exception cref="JsonException">Larger than <see cref="MaxDocumentBytes"/>, malformed, truncated, or not a <typeparamref name="T"/>; the message names the path.</exception>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json, JsonSerializerOptions? options = null)
    {
        if (utf8Json.Length > MaxDocumentBytes)
        {
            throw new JsonException($"JSON document of {utf8Json.Length} bytes is larger than the limit of {MaxDocumentBytes} bytes");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(utf8Json, options ?? Options)
                ?? throw new JsonException($"expected a {typeof(T).Name}, got null");
        }
        catch (JsonException e)
        {
            throw WithPath(e);
        }
    }

    /// <summary>Reads a Lotus JSON document from text.</summary>
    /// <exception cref="JsonException">As <see cref="Deserialize{T}(ReadOnlySpan{byte}, JsonSerializerOptions?)"/>.</exception>
    public static T Deserialize<T>(string json, JsonSerializerOptions? options = null)
    {
        if (json.Length > MaxDocumentBytes)
        {
            throw new JsonException($"JSON document of {json.Length} characters is larger than the limit of {MaxDocumentBytes} bytes");
        }

        return Deserialize<T>(Encoding.UTF8.GetBytes(json), options);
    }

    /// <summary>Reads one value already parsed (a JSON-RPC param or result).</summary>
    /// <exception cref="JsonException">Not a <typeparamref name="T"/>; the message names the path.</exception>
    public static T? Deserialize<T>(JsonElement element, JsonSerializerOptions? options = null)
    {
        try
        {
            return element.Deserialize<T>(options ?? Options);
        }
        catch (JsonException e)
        {
            throw WithPath(e);
        }
    }

    /// <summary>Writes a value as Lotus JSON text.</summary>
    public static string Serialize<T>(T value, JsonSerializerOptions? options = null) =>
        JsonSerializer.Serialize(value, options ?? Options);

    /// <summary>The same error with its JSON path in the message, once.</summary>
    internal static JsonException WithPath(JsonException e)
    {
        if (e.Path is null or "$" || e.Message.Contains("Path:", StringComparison.Ordinal) || e.Message.Contains($"(at {e.Path})", StringComparison.Ordinal))
        {
            return e;
        }

        return new JsonException($"{e.Message} (at {e.Path})", e.Path, e.LineNumber, e.BytePositionInLine, e);
    }
}
