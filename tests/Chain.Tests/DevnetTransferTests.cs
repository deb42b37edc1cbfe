using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Execution;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

public sealed class DevnetTransferTests
{
    [Fact]
    public async Task A_transfer_moves_the_value_spends_the_nonce_and_charges_gas()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2);
        var node = chain.Node;
        var before = await node.WalletBalance(chain.Accounts[0]);

        var cid = await chain.PushAsync(0, chain.Accounts[1], TokenAmount.FromFil(5));
        Assert.Equal(1UL, await node.MpoolGetNonce(chain.Accounts[0])); // counts the pending message
        await chain.AdvanceAsync();
        var lookup = await chain.WaitAsync(cid);

        Assert.Equal(0, lookup.Receipt.ExitCode);
        Assert.Equal(1, lookup.Height);
        Assert.Equal((await node.ChainHead()).Key, lookup.TipSet);
        var gas = GasSchedule.GasFor(ActorCode.Account, 0, 0);
        Assert.Equal(gas, lookup.Receipt.GasUsed);
        var fee = (gas * GasSchedule.BaseFee) + (DevnetTestChain.GasLimit * DevnetTestChain.Premium.AttoFil);
        Assert.Equal(before.AttoFil - TokenAmount.FromFil(5).AttoFil - fee, (await node.WalletBalance(chain.Accounts[0])).AttoFil);
        Assert.Equal(TokenAmount.FromFil(1_005), await node.WalletBalance(chain.Accounts[1]));
        // No miner has power, so no one won the epoch: the tip is burnt with the base fee.
        Assert.Equal(new TokenAmount(fee), await node.WalletBalance(Address.FromId(SystemActors.BurntFunds)));
        Assert.Equal(Address.FromId(SystemActors.System), (await node.ChainHead()).Blocks[0].Miner);
        Assert.Equal(1UL, await node.MpoolGetNonce(chain.Accounts[0]));
    }

    [Fact]
    public async Task Sending_to_a_new_key_address_creates_its_account()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        var fresh = await chain.Node.WalletNew(WalletKeyType.Secp256k1);
        Assert.Equal(0, (await chain.ExecAsync(0, fresh, TokenAmount.FromFil(3))).ExitCode);
        Assert.Equal(TokenAmount.FromFil(3), await chain.Node.WalletBalance(fresh));
        var id = await chain.Node.StateLookupID(fresh, null);
        Assert.Equal(102UL, id.Id);
        Assert.Equal(fresh, await chain.Node.StateAccountKey(id, null));
    }

    [Fact]
    public async Task A_failing_message_lands_with_its_exit_code_spends_its_nonce_and_keeps_its_value()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        var before = await chain.Node.WalletBalance(chain.Accounts[0]);

        // An unknown id address cannot be created by a send (exit 5); the value stays with the sender.
        var receipt = await chain.ExecAsync(0, Address.FromId(5_000), TokenAmount.FromFil(1));
        Assert.Equal(5, receipt.ExitCode);
        Assert.Equal(1UL, await chain.Node.MpoolGetNonce(chain.Accounts[0]));
        var after = await chain.Node.WalletBalance(chain.Accounts[0]);
        Assert.True(after < before && before - after < TokenAmount.FromFil(1), "only gas was paid");

        // An account has no methods but 0 (exit 22).
        Assert.Equal(22, (await chain.ExecAsync(0, chain.Node.FaucetAddress, TokenAmount.Zero, method: 2)).ExitCode);
    }

    [Fact]
    public async Task A_message_whose_gas_limit_is_too_low_runs_out_of_gas()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2);
        var nonce = await chain.Node.MpoolGetNonce(chain.Accounts[0]);
        var message = new Message(0, chain.Accounts[1], chain.Accounts[0], nonce, TokenAmount.FromFil(1), 1_000, DevnetTestChain.FeeCap, DevnetTestChain.Premium, 0, []);
        var cid = await chain.Node.MpoolPush(SignedMessage.SignSecp256k1(message, chain.Keys[0]));
        await chain.AdvanceAsync();
        var receipt = (await chain.WaitAsync(cid)).Receipt;
        Assert.Equal(7, receipt.ExitCode);
        Assert.Equal(1_000, receipt.GasUsed);
        Assert.Equal(TokenAmount.FromFil(1_000), await chain.Node.WalletBalance(chain.Accounts[1]));
    }

    [Fact]
    public async Task The_faucet_and_MpoolPushMessage_fill_in_nonce_and_gas_and_sign_with_the_wallet()
    {
        await using var chain = DevnetTestChain.Create(accounts: 0);
        var node = chain.Node;
        var key = await node.WalletNew(WalletKeyType.Secp256k1);
        var funded = await node.Faucet(key, TokenAmount.FromFil(10));
        await chain.AdvanceAsync();
        Assert.Equal(0, (await chain.WaitAsync(funded)).Receipt.ExitCode);
        Assert.Equal(TokenAmount.FromFil(10), await node.WalletBalance(key));

        var other = await node.WalletNew(WalletKeyType.Secp256k1);
        var first = await node.MpoolPushMessage(new Message(0, other, key, 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero, TokenAmount.Zero, 0, []), null);
        var second = await node.MpoolPushMessage(new Message(0, other, key, 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero, TokenAmount.Zero, 0, []),
            new MessageSendSpec(new TokenAmount(10_000_000_000)));
        Assert.Equal([0UL, 1UL], [first.Message.Nonce, second.Message.Nonce]);
        Assert.True(first.VerifySignature());
        Assert.Equal(GasSchedule.GasFor(ActorCode.Account, 0, 0) * 5 / 4, first.Message.GasLimit);
        Assert.True(second.Message.GasLimit * second.Message.GasFeeCap.AttoFil <= 10_000_000_000);
        await chain.AdvanceAsync();
        Assert.Equal(0, (await chain.WaitAsync(second.Cid())).Receipt.ExitCode);
        Assert.Equal(TokenAmount.FromFil(2), await node.WalletBalance(other));

        var stranger = Secp256k1.AddressOf(DevnetTestChain.Key(77));
        var e = await Assert.ThrowsAsync<ChainException>(() =>
            node.MpoolPushMessage(new Message(0, other, stranger, 0, TokenAmount.Zero, 0, TokenAmount.Zero, TokenAmount.Zero, 0, []), null));
        Assert.Contains("wallet", e.Message);
        await Assert.ThrowsAsync<ChainException>(() =>
            node.MpoolPushMessage(new Message(0, other, key, 3, TokenAmount.Zero, 0, TokenAmount.Zero, TokenAmount.Zero, 0, []), null));
    }

    [Fact]
    public async Task The_wallet_signs_and_verifies_and_refuses_bls()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        var node = chain.Node;
        var signature = await node.WalletSign(Address.FromId(101), [9, 9]);
        Assert.True(await node.WalletVerify(chain.Accounts[0], [9, 9], signature));
        Assert.True(await node.WalletVerify(Address.FromId(101), [9, 9], signature));
        Assert.False(await node.WalletVerify(chain.Accounts[0], [9, 8], signature));
        await Assert.ThrowsAsync<ChainException>(() => node.WalletNew(WalletKeyType.Bls));
        await Assert.ThrowsAsync<ChainException>(() => node.WalletVerify(chain.Accounts[0], [9], new Signature(SignatureType.Bls, new byte[96])));
        await Assert.ThrowsAsync<ChainException>(() => node.WalletSign(Secp256k1.AddressOf(DevnetTestChain.Key(50)), [1]));
    }
}
