using Granary.Chain.Model;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet;

/// <summary>How to open (or create) an embedded devnet.</summary>
public sealed record DevnetOptions
{
    /// <summary>The SQLite file holding the chain, its state, the pending messages and the node's wallet keys.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>The policy (proving period, delays); fixed at genesis: reopening with another policy is refused.</summary>
    public ChainPolicy Policy { get; init; } = ChainPolicy.Devnet;

    /// <summary>What mines epochs: a real timer every block delay (the default) or a <see cref="ManualDevnetClock"/> in tests.</summary>
    public IDevnetClock? Clock { get; init; }

    /// <summary>Accounts funded at genesis (their keys also go into the node's wallet).</summary>
    public IReadOnlyList<GenesisAccount> Genesis { get; init; } = [];

    /// <summary>The faucet's key is BLAKE2b-256 of this seed (domain-separated): the same seed gives the same faucet address.</summary>
    public string FaucetSeed { get; init; } = "granary-devnet-faucet";

    /// <summary>The faucet's balance at genesis.</summary>
    public TokenAmount FaucetBalance { get; init; } = TokenAmount.FromFil(1_000_000_000);

    /// <summary>The network's name, fixed at genesis.</summary>
    public string NetworkName { get; init; } = "granary-devnet";

    /// <summary>Most messages in one block.</summary>
    public int MaxBlockMessages { get; init; } = 5_000;

    /// <summary>Most messages one sender may have pending.</summary>
    public int MaxPendingPerSender { get; init; } = 10_000;

    /// <summary>Most pending messages in the pool.</summary>
    public int MaxPending { get; init; } = 200_000;

    /// <summary>Logging; null for none.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>An account funded at genesis: a 32-byte secp256k1 private key and its balance.</summary>
public sealed record GenesisAccount(byte[] PrivateKey, TokenAmount Balance);
