using System.Buffers.Binary;
using Granary.Chain.Model;
using Granary.Filecoin.Crypto;

namespace Granary.Chain.Tests;

public sealed class DevnetRandomnessTests
{
    // Filecoin's DrawRandomness, written out: BLAKE2b-256(tag i64 BE ‖ digest ‖ epoch i64 BE ‖ entropy).
    private static byte[] Draw(DomainSeparationTag tag, byte[] digest, long epoch, byte[] entropy)
    {
        var input = new byte[16 + digest.Length + entropy.Length];
        BinaryPrimitives.WriteInt64BigEndian(input, (long)tag);
        digest.CopyTo(input, 8);
        BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(8 + digest.Length), epoch);
        entropy.CopyTo(input, 16 + digest.Length);
        return Blake2b.Hash256(input);
    }

    [Fact]
    public async Task Ticket_randomness_is_drawn_from_the_tipsets_ticket_with_Filecoins_domain_separation()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        await chain.AdvanceAsync(4);
        var ticket = (await chain.Node.ChainGetTipSetByHeight(3, null)).Blocks[0].Ticket;
        var expected = Draw(DomainSeparationTag.SealRandomness, Blake2b.Hash256(ticket), 3, [1, 2]);
        Assert.Equal(expected, await chain.Node.StateGetRandomnessFromTickets(DomainSeparationTag.SealRandomness, 3, [1, 2], null));

        // Tickets chain: each is BLAKE2b-256 of the previous ticket and the epoch.
        var previous = (await chain.Node.ChainGetTipSetByHeight(2, null)).Blocks[0].Ticket;
        var epoch = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(epoch, 3);
        Assert.Equal(Blake2b.Hash256([.. previous, .. epoch]), ticket);
    }

    [Fact]
    public async Task Beacon_randomness_is_a_fixed_function_of_the_epoch()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        await chain.AdvanceAsync(3);
        var epoch = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(epoch, 2);
        var digest = Blake2b.Hash256([.. "beacon"u8, .. epoch]);
        Assert.Equal(Draw(DomainSeparationTag.InteractiveSealChallengeSeed, digest, 2, [7]),
            await chain.Node.StateGetRandomnessFromBeacon(DomainSeparationTag.InteractiveSealChallengeSeed, 2, [7], null));
    }

    [Fact]
    public async Task Randomness_differs_by_tag_epoch_and_entropy_and_repeats_exactly()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        await chain.AdvanceAsync(3);
        var node = chain.Node;
        var draws = new List<byte[]>();
        foreach (var tag in (DomainSeparationTag[])[DomainSeparationTag.SealRandomness, DomainSeparationTag.WindowedPoStChallengeSeed])
        {
            foreach (var epoch in (long[])[1, 2])
            {
                foreach (var entropy in (byte[][])[[], [1]])
                {
                    draws.Add(await node.StateGetRandomnessFromTickets(tag, epoch, entropy, null));
                    draws.Add(await node.StateGetRandomnessFromBeacon(tag, epoch, entropy, null));
                    Assert.Equal(draws[^2], await node.StateGetRandomnessFromTickets(tag, epoch, entropy, null));
                }
            }
        }

        Assert.Equal(draws.Count, draws.Select(Convert.ToHexString).Distinct().Count());
        Assert.All(draws, d => Assert.Equal(32, d.Length));
    }

    [Fact]
    public async Task Randomness_from_the_future_is_refused()
    {
        await using var chain = DevnetTestChain.Create(accounts: 1);
        await chain.AdvanceAsync(2);
        await Assert.ThrowsAsync<ChainException>(() => chain.Node.StateGetRandomnessFromTickets(DomainSeparationTag.SealRandomness, 3, [], null));
        await Assert.ThrowsAsync<ChainException>(() => chain.Node.StateGetRandomnessFromBeacon(DomainSeparationTag.SealRandomness, 3, [], null));
        var one = (await chain.Node.ChainGetTipSetByHeight(1, null)).Key;
        await Assert.ThrowsAsync<ChainException>(() => chain.Node.StateGetRandomnessFromTickets(DomainSeparationTag.SealRandomness, 2, [], one));
        Assert.Equal(32, (await chain.Node.StateGetRandomnessFromTickets(DomainSeparationTag.SealRandomness, 1, [], one)).Length);
    }
}
