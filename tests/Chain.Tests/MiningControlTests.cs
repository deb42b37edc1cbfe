using System.Buffers.Binary;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Mining;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Crypto;
using static Granary.Chain.Tests.MiningTests;

namespace Granary.Chain.Tests;

/// <summary>Miner creation and info changes (the caller checks senders; the miner checks sizes and address kinds).</summary>
public sealed class MiningControlTests
{
    [Fact]
    public void A_new_miner_takes_its_sizes_from_the_seal_proof_and_starts_with_48_empty_deadlines()
    {
        var state = NewMiner();

        var info = state.MinerInfo();
        Assert.Equal((Owner, Worker, 2048UL, 2UL), (info.Owner, info.Worker, info.SectorSize, info.WindowPoStPartitionSectors));
        Assert.Null(info.PeerId);
        Assert.Equal(48, state.DeadlineList().Count);
        Assert.All(Enumerable.Range(0, 48), d => Assert.Empty(state.Partitions((ulong)d)));
        Assert.Equal(0, state.Power().RawBytePower);
        Refused(ExitCode.ErrIllegalArgument, () => state.Partitions(48));
    }

    [Fact]
    public void Creation_refuses_unknown_proofs_and_non_id_addresses()
    {
        var key = Address.FromSecp256k1PublicKey([0x04, .. new byte[64]]);

        Refused(ExitCode.ErrIllegalArgument, () => MinerState.Create(ActorId, Owner, Worker, [], null, [], 99, 0, Policy));
        Refused(ExitCode.ErrIllegalArgument, () => MinerState.Create(ActorId, key, Worker, [], null, [], ProofType.Id, 0, Policy));
        Refused(ExitCode.ErrIllegalArgument, () => MinerState.Create(ActorId, Owner, Worker, [], null, [], ProofType.Id, 0, Policy, provingPeriodOffset: 480));
    }

    [Fact]
    public void The_proving_period_offset_hashes_the_cbor_address_and_big_endian_epoch()
    {
        // f01000 is [0x00, 0xe8, 0x07]; as a CBOR byte string 0x43 ‖ those bytes; then epoch 12345 as int64 big-endian.
        byte[] seed = [0x43, 0x00, 0xe8, 0x07, 0, 0, 0, 0, 0, 0, 0x30, 0x39];
        var expected = (long)(BinaryPrimitives.ReadUInt64BigEndian(Blake2b.Hash256(seed)) % 480);

        Assert.Equal(expected, MinerState.AssignProvingPeriodOffset(Address.FromId(1000), 12345, Policy));
        Assert.Equal(expected, MinerState.Create(1000, Owner, Worker, [], null, [], ProofType.Id, 12345, Policy).Info.ProvingPeriodOffset);
    }

    [Fact]
    public void The_peer_id_is_limited_to_128_bytes()
    {
        var state = NewMiner();

        state.ChangePeerId(new byte[128]);
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.ChangePeerId(new byte[129]));

        Assert.Equal(128, state.MinerInfo().PeerId!.Length);
    }

    [Fact]
    public void Multiaddrs_must_be_non_empty_and_at_most_1024_bytes_together()
    {
        var state = NewMiner();

        state.ChangeMultiaddrs([new byte[1000], new byte[24]]);
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.ChangeMultiaddrs([new byte[1000], new byte[25]]));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.ChangeMultiaddrs([[1], []]));

        Assert.Equal([1000, 24], state.MinerInfo().Multiaddrs.Select(m => m.Length));
        state.ChangeMultiaddrs([]);
        Assert.Empty(state.MinerInfo().Multiaddrs);
    }

    [Fact]
    public void The_worker_and_up_to_ten_control_addresses_change_if_they_are_id_addresses()
    {
        var state = NewMiner();
        var key = Address.FromSecp256k1PublicKey([0x04, .. new byte[64]]);

        state.ChangeWorker(Address.FromId(200), [.. Enumerable.Range(0, 10).Select(i => Address.FromId(300 + (ulong)i))]);
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.ChangeWorker(Address.FromId(201), [.. Enumerable.Range(0, 11).Select(i => Address.FromId((ulong)i))]));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.ChangeWorker(key, []));
        RefusedUnchanged(state, ExitCode.ErrIllegalArgument, () => state.ChangeWorker(Address.FromId(201), [key]));

        Assert.Equal(Address.FromId(200), state.MinerInfo().Worker);
        Assert.Equal(10, state.MinerInfo().ControlAddresses.Count);
    }
}
