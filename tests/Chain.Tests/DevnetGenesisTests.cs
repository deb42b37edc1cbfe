using Granary.Chain.Devnet;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

public sealed class DevnetGenesisTests
{
    [Fact]
    public async Task Genesis_funds_the_faucet_and_the_listed_accounts_at_ids_from_f0100()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2, balance: TokenAmount.FromFil(42));
        var node = chain.Node;

        var head = await node.ChainHead();
        Assert.Equal(0, head.Height);
        Assert.Empty(head.Parents.Cids);
        Assert.Equal(Address.FromId(0), head.Blocks[0].Miner);
        Assert.Equal((ulong)DevnetTestChain.Start.ToUnixTimeSeconds(), head.Timestamp);
        Assert.Equal(TokenAmount.FromFil(1_000_000_000), await node.WalletBalance(node.FaucetAddress));
        Assert.Equal(Address.FromId(100), await node.StateLookupID(node.FaucetAddress, null));
        Assert.Equal(Address.FromId(101), await node.StateLookupID(chain.Accounts[0], null));
        Assert.Equal(Address.FromId(102), await node.StateLookupID(chain.Accounts[1], null));
        Assert.Equal(TokenAmount.FromFil(42), await node.WalletBalance(chain.Accounts[1]));
        Assert.Equal(TokenAmount.FromFil(42), await node.WalletBalance(Address.FromId(102)));
        Assert.Equal(chain.Accounts[0], await node.StateAccountKey(Address.FromId(101), null));
    }

    [Fact]
    public async Task The_faucet_key_follows_from_its_seed_and_is_in_the_wallet()
    {
        await using var chain = DevnetTestChain.Create(accounts: 0);
        var expected = Secp256k1.AddressOf(Blake2b.Hash256([.. "granary-devnet faucet key"u8, .. "granary-devnet-faucet"u8]));
        Assert.Equal(expected, chain.Node.FaucetAddress);
        var signature = await chain.Node.WalletSign(chain.Node.FaucetAddress, [1, 2, 3]);
        Assert.True(Secp256k1.Verify(signature, [1, 2, 3], expected));
    }

    [Fact]
    public async Task The_singleton_actors_have_Filecoins_ids_and_unknown_addresses_have_nothing()
    {
        await using var chain = DevnetTestChain.Create(accounts: 0);
        var node = chain.Node;
        Assert.Equal(TokenAmount.FromFil(500_000_000), await node.WalletBalance(Address.FromId(SystemActors.Reward)));
        Assert.Equal(TokenAmount.Zero, await node.WalletBalance(Address.FromId(SystemActors.BurntFunds)));
        var stranger = Secp256k1.AddressOf(DevnetTestChain.Key(999));
        Assert.Equal(TokenAmount.Zero, await node.WalletBalance(stranger));
        Assert.Equal(0UL, await node.MpoolGetNonce(stranger));
        var e = await Assert.ThrowsAsync<ChainException>(() => node.StateLookupID(stranger, null));
        Assert.Contains("not found", e.Message);
        await Assert.ThrowsAsync<ChainException>(() => node.StateAccountKey(Address.FromId(SystemActors.Power), null));
        await Assert.ThrowsAsync<ChainException>(() => node.StateMinerInfo(Address.FromId(SystemActors.Power), null));
    }

    [Fact]
    public async Task The_database_file_holding_wallet_keys_is_readable_by_its_owner_only()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(chain.DatabasePath));
        }
    }

    [Fact]
    public async Task A_database_is_refused_for_another_network_or_policy()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        await chain.Node.DisposeAsync();
        var options = new DevnetOptions { DatabasePath = chain.DatabasePath, Clock = new ManualDevnetClock(), NetworkName = "other" };
        Assert.Contains("network", Assert.Throws<ChainException>(() => DevnetNode.Open(options)).Message);
        var policy = options with { NetworkName = "granary-devnet", Policy = ChainPolicy.Devnet with { WPoStChallengeWindow = 20 } };
        Assert.Contains("policy", Assert.Throws<ChainException>(() => DevnetNode.Open(policy)).Message);
        await chain.ReopenAsync();
        Assert.Equal(0, (await chain.Node.ChainHead()).Height);
    }
}
