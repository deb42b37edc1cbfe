using Granary.Chain.Devnet;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

/// <summary>
/// A devnet for the Devnet*Tests: a temp SQLite file, a manual clock, and genesis accounts with deterministic keys
/// (account i has 1,000 FIL unless told otherwise). Helpers sign and push messages and mine until they land.
/// </summary>
internal sealed class DevnetTestChain : IAsyncDisposable
{
    public const long GasLimit = 1_000_000_000;
    public static readonly TokenAmount FeeCap = new(1_000);
    public static readonly TokenAmount Premium = new(100);
    public static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private readonly string _root;
    private DevnetOptions _options;

    private DevnetTestChain(string root, DevnetOptions options, byte[][] keys)
    {
        _root = root;
        _options = options;
        Keys = keys;
        Accounts = [.. keys.Select(k => Secp256k1.AddressOf(k))];
        Clock = (ManualDevnetClock)options.Clock!;
        Node = DevnetNode.Open(options);
    }

    public DevnetNode Node { get; private set; }

    public ManualDevnetClock Clock { get; private set; }

    public byte[][] Keys { get; }

    public IReadOnlyList<Address> Accounts { get; }

    public string DatabasePath => _options.DatabasePath;

    public static byte[] Key(int i) => Blake2b.Hash256(System.Text.Encoding.ASCII.GetBytes($"granary devnet test key {i}"));

    public static DevnetTestChain Create(int accounts = 3, TokenAmount? balance = null, ChainPolicy? policy = null, int maxBlockMessages = 5_000)
    {
        var root = Directory.CreateTempSubdirectory("granary-devnet-").FullName;
        var keys = Enumerable.Range(0, accounts).Select(Key).ToArray();
        var options = new DevnetOptions
        {
            DatabasePath = Path.Combine(root, "devnet.sqlite"),
            Clock = new ManualDevnetClock(Start),
            Genesis = [.. keys.Select(k => new GenesisAccount(k, balance ?? TokenAmount.FromFil(1_000)))],
            Policy = policy ?? ChainPolicy.Devnet,
            MaxBlockMessages = maxBlockMessages,
        };
        return new DevnetTestChain(root, options, keys);
    }

    /// <summary>Closes the node and opens the same file again with a fresh manual clock.</summary>
    public async Task ReopenAsync()
    {
        await Node.DisposeAsync();
        var head = Clock.Now;
        _options = _options with { Clock = new ManualDevnetClock(head) };
        Clock = (ManualDevnetClock)_options.Clock!;
        Node = DevnetNode.Open(_options);
    }

    public Task AdvanceAsync(int epochs = 1) => Clock.AdvanceAsync(epochs);

    /// <summary>A message from account <paramref name="from"/> with its next nonce, signed with its key.</summary>
    public async Task<SignedMessage> SignAsync(int from, Address to, TokenAmount value, ulong method = 0, byte[]? parameters = null, ulong? nonce = null)
    {
        var next = nonce ?? await Node.MpoolGetNonce(Accounts[from]);
        var message = new Message(0, to, Accounts[from], next, value, GasLimit, FeeCap, Premium, method, parameters ?? []);
        return SignedMessage.SignSecp256k1(message, Keys[from]);
    }

    public async Task<Cid> PushAsync(int from, Address to, TokenAmount value, ulong method = 0, byte[]? parameters = null) =>
        await Node.MpoolPush(await SignAsync(from, to, value, method, parameters));

    /// <summary>Pushes, mines one epoch and returns the receipt.</summary>
    public async Task<MessageReceipt> ExecAsync(int from, Address to, TokenAmount value, ulong method = 0, byte[]? parameters = null)
    {
        var cid = await PushAsync(from, to, value, method, parameters);
        await AdvanceAsync();
        return (await WaitAsync(cid)).Receipt;
    }

    /// <summary>StateWaitMsg with a test timeout (the message is expected to have landed already).</summary>
    public async Task<MessageLookup> WaitAsync(Cid cid, ulong confidence = 0)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Node.StateWaitMsg(cid, confidence, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
