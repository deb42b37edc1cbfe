using Granary.Chain.Devnet;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

public sealed class DevnetMpoolTests
{
    [Fact]
    public async Task A_message_signed_by_another_key_is_refused()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2);
        var message = (await chain.SignAsync(0, chain.Accounts[1], TokenAmount.FromFil(1))).Message;
        var forged = SignedMessage.SignSecp256k1(message, chain.Keys[1]);
        var e = await Assert.ThrowsAsync<ChainException>(() => chain.Node.MpoolPush(forged));
        Assert.Contains("signature", e.Message);

        var tampered = new SignedMessage(message with { Value = TokenAmount.FromFil(2) }, SignedMessage.SignSecp256k1(message, chain.Keys[0]).Signature);
        await Assert.ThrowsAsync<ChainException>(() => chain.Node.MpoolPush(tampered));
        Assert.Equal(0UL, await chain.Node.MpoolGetNonce(chain.Accounts[0]));
    }

    [Fact]
    public async Task A_bls_signature_is_refused_as_unsupported()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2);
        var message = (await chain.SignAsync(0, chain.Accounts[1], TokenAmount.FromFil(1))).Message;
        var e = await Assert.ThrowsAsync<ChainException>(() => chain.Node.MpoolPush(new SignedMessage(message, new Signature(SignatureType.Bls, new byte[96]))));
        Assert.Contains("not supported", e.Message);
        Assert.IsType<UnsupportedSignatureTypeException>(e.InnerException);
    }

    [Fact]
    public async Task Nonces_must_be_next_counting_pending_neither_reused_nor_skipped()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2);
        await chain.PushAsync(0, chain.Accounts[1], TokenAmount.FromFil(1));
        await chain.AdvanceAsync();
        await chain.PushAsync(0, chain.Accounts[1], TokenAmount.FromFil(1)); // nonce 1, pending

        var low = await Assert.ThrowsAsync<ChainException>(async () => await chain.Node.MpoolPush(await chain.SignAsync(0, chain.Accounts[1], TokenAmount.FromFil(1), nonce: 0)));
        Assert.Contains("too low", low.Message);
        var pendingAgain = await Assert.ThrowsAsync<ChainException>(async () => await chain.Node.MpoolPush(await chain.SignAsync(0, chain.Accounts[1], TokenAmount.FromFil(2), nonce: 1)));
        Assert.Contains("too low", pendingAgain.Message);
        var gap = await Assert.ThrowsAsync<ChainException>(async () => await chain.Node.MpoolPush(await chain.SignAsync(0, chain.Accounts[1], TokenAmount.FromFil(1), nonce: 3)));
        Assert.Contains("gap", gap.Message);
        await chain.Node.MpoolPush(await chain.SignAsync(0, chain.Accounts[1], TokenAmount.FromFil(1), nonce: 2));
        Assert.Equal(3UL, await chain.Node.MpoolGetNonce(chain.Accounts[0]));
        await chain.AdvanceAsync();
        Assert.Equal(TokenAmount.FromFil(1_003), await chain.Node.WalletBalance(chain.Accounts[1]));
    }

    [Fact]
    public async Task The_balance_must_cover_value_and_gas_of_everything_pending()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2, balance: TokenAmount.FromFil(10));
        var tooMuch = await Assert.ThrowsAsync<ChainException>(() => chain.PushAsync(0, chain.Accounts[1], TokenAmount.FromFil(10)));
        Assert.Contains("insufficient balance", tooMuch.Message);

        await chain.PushAsync(0, chain.Accounts[1], TokenAmount.FromFil(6));
        var second = await Assert.ThrowsAsync<ChainException>(() => chain.PushAsync(0, chain.Accounts[1], TokenAmount.FromFil(4)));
        Assert.Contains("insufficient balance", second.Message);
        await chain.PushAsync(0, chain.Accounts[1], TokenAmount.FromFil(3));

        var unknown = DevnetTestChain.Key(90);
        var message = new Message(0, chain.Accounts[1], Secp256k1.AddressOf(unknown), 0, TokenAmount.Zero, DevnetTestChain.GasLimit, DevnetTestChain.FeeCap, DevnetTestChain.Premium, 0, []);
        await Assert.ThrowsAsync<ChainException>(() => chain.Node.MpoolPush(SignedMessage.SignSecp256k1(message, unknown)));
    }

    [Fact]
    public async Task Malformed_messages_are_refused()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2);
        var good = (await chain.SignAsync(0, chain.Accounts[1], TokenAmount.FromFil(1))).Message;
        Message[] bad =
        [
            good with { Version = 1 },
            good with { GasLimit = 0 },
            good with { GasLimit = 20_000_000_000 },
            good with { GasFeeCap = new TokenAmount(99), GasPremium = TokenAmount.Zero },
            good with { GasPremium = new TokenAmount(2_000) },
            good with { Value = new TokenAmount(-1) },
            good with { Params = new byte[DevnetNode.MaxMessageBytes] },
        ];
        foreach (var message in bad)
        {
            await Assert.ThrowsAsync<ChainException>(() => chain.Node.MpoolPush(SignedMessage.SignSecp256k1(message, chain.Keys[0])));
        }

        Assert.Equal(0UL, await chain.Node.MpoolGetNonce(chain.Accounts[0]));
        var pushed = await chain.Node.MpoolPush(SignedMessage.SignSecp256k1(good, chain.Keys[0]));
        var duplicate = await Assert.ThrowsAsync<ChainException>(() => chain.Node.MpoolPush(SignedMessage.SignSecp256k1(good, chain.Keys[0])));
        Assert.Contains("already pending", duplicate.Message);
        Assert.NotNull(pushed);
    }

    [Fact]
    public async Task A_message_from_an_id_address_is_verified_against_its_key()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2);
        var message = new Message(0, chain.Accounts[1], Address.FromId(101), 0, TokenAmount.FromFil(1), DevnetTestChain.GasLimit, DevnetTestChain.FeeCap, DevnetTestChain.Premium, 0, []);
        await Assert.ThrowsAsync<ChainException>(() => chain.Node.MpoolPush(SignedMessage.SignSecp256k1(message, chain.Keys[1])));
        var cid = await chain.Node.MpoolPush(SignedMessage.SignSecp256k1(message, chain.Keys[0]));
        await chain.AdvanceAsync();
        Assert.Equal(0, (await chain.WaitAsync(cid)).Receipt.ExitCode);
    }

    [Fact]
    public async Task A_block_takes_at_most_its_cap_in_arrival_order_and_the_rest_follow()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2, maxBlockMessages: 3);
        var cids = new List<Filecoin.Cids.Cid>();
        for (var i = 0; i < 5; i++)
        {
            cids.Add(await chain.PushAsync(i % 2, chain.Accounts[(i + 1) % 2], TokenAmount.FromFil(1)));
        }

        await chain.AdvanceAsync();
        using var none = new CancellationTokenSource();
        none.Cancel();
        var first = await Task.WhenAll(cids.Take(3).Select(async c => (await chain.WaitAsync(c)).Height));
        Assert.Equal(new long[] { 1, 1, 1 }, first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chain.Node.StateWaitMsg(cids[3], 0, none.Token));
        await chain.AdvanceAsync();
        var rest = await Task.WhenAll(cids.Skip(3).Select(async c => (await chain.WaitAsync(c)).Height));
        Assert.Equal(new long[] { 2, 2 }, rest);
    }
}
