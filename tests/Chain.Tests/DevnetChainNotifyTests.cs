using Granary.Chain.Model;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

public sealed class DevnetChainNotifyTests
{
    [Fact]
    public async Task ChainNotify_yields_the_current_head_then_one_apply_per_block()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        await chain.AdvanceAsync(2);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var changes = chain.Node.ChainNotify(timeout.Token).GetAsyncEnumerator(timeout.Token);

        Assert.True(await changes.MoveNextAsync());
        var current = Assert.Single(changes.Current);
        Assert.Equal(HeadChangeType.Current, current.Type);
        Assert.Equal(2, current.Value.Height);

        await chain.AdvanceAsync(2);
        Assert.True(await changes.MoveNextAsync());
        var first = Assert.Single(changes.Current);
        Assert.True(await changes.MoveNextAsync());
        var second = Assert.Single(changes.Current);
        Assert.Equal((HeadChangeType.Apply, 3L), (first.Type, first.Value.Height));
        Assert.Equal((HeadChangeType.Apply, 4L), (second.Type, second.Value.Height));
        Assert.Equal(first.Value.Key, second.Value.Parents);
        Assert.Equal(second.Value.Key, (await chain.Node.ChainHead()).Key);
    }

    [Fact]
    public async Task Closing_the_node_ends_the_subscription()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var changes = chain.Node.ChainNotify(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await changes.MoveNextAsync());
        var next = changes.MoveNextAsync().AsTask();
        await chain.Node.DisposeAsync();
        Assert.False(await next);
    }

    [Fact]
    public async Task StateWaitMsg_returns_once_the_message_has_the_confidence_asked_for()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2);
        var cid = await chain.PushAsync(0, chain.Accounts[1], TokenAmount.FromFil(1));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var waiting = chain.Node.StateWaitMsg(cid, 2, timeout.Token);

        await chain.AdvanceAsync();
        Assert.False(waiting.IsCompleted);
        await chain.AdvanceAsync();
        Assert.False(waiting.IsCompleted);
        await chain.AdvanceAsync();
        var lookup = await waiting;
        Assert.Equal(cid, lookup.Message);
        Assert.Equal(1, lookup.Height);
        Assert.Equal(0, lookup.Receipt.ExitCode);
        Assert.Equal((await chain.Node.ChainGetTipSetByHeight(1, null)).Key, lookup.TipSet);

        // Also found by the unsigned message's CID.
        var signed = await chain.SignAsync(0, chain.Accounts[1], TokenAmount.FromFil(1));
        await chain.Node.MpoolPush(signed);
        await chain.AdvanceAsync();
        Assert.Equal(signed.Cid(), (await chain.WaitAsync(signed.Message.Cid())).Message);
    }

    [Fact]
    public async Task StateWaitMsg_for_a_message_that_never_lands_waits_until_cancelled()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2);
        var never = (await chain.SignAsync(0, chain.Accounts[1], TokenAmount.FromFil(1), nonce: 7)).Cid();
        using var cancel = new CancellationTokenSource();
        var waiting = chain.Node.StateWaitMsg(never, 0, cancel.Token);
        await chain.AdvanceAsync(3);
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task Tipsets_chain_by_height_and_key()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        await chain.AdvanceAsync(5);
        var head = await chain.Node.ChainHead();
        var three = await chain.Node.ChainGetTipSetByHeight(3, null);
        var four = await chain.Node.ChainGetTipSetByHeight(4, head.Key);
        Assert.Equal(three.Key, four.Parents);
        Assert.Equal(head.Parents, (await chain.Node.ChainGetTipSetByHeight(4, null)).Key);
        Assert.Equal(three.Key, (await chain.Node.ChainGetTipSetByHeight(3, four.Key)).Key);
        Assert.True(head.Timestamp > three.Timestamp);
        Assert.NotEqual(three.Blocks[0].Ticket, four.Blocks[0].Ticket);
        await Assert.ThrowsAsync<ChainException>(() => chain.Node.ChainGetTipSetByHeight(4, three.Key));
        await Assert.ThrowsAsync<ChainException>(() => chain.Node.ChainGetTipSetByHeight(-1, null));
        await Assert.ThrowsAsync<ChainException>(() => chain.Node.ChainGetTipSetByHeight(1, new TipSetKey([Filecoin.Cbor.DagCbor.CidOf([0x01])])));
    }
}
