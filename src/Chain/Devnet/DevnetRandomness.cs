using System.Buffers.Binary;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Crypto;

namespace Granary.Chain.Devnet;

/// <summary>
/// The devnet's randomness, drawn as Filecoin's <c>DrawRandomness</c>: BLAKE2b-256(tag as i64 BE ‖ digest ‖
/// epoch as i64 BE ‖ entropy). For tickets the digest is BLAKE2b-256 of the ticket of the block at the epoch
/// (genesis's for a negative epoch); for the beacon it is BLAKE2b-256("beacon" ‖ epoch as i64 BE) — the
/// devnet has no drand, so its beacon is a fixed function of the epoch. Miner methods use the miner's id
/// address in CBOR (a byte string) as entropy, as Filecoin does.
/// </summary>
internal sealed class DevnetRandomness(Func<long, byte[]> ticketAt)
{
    /// <summary>Ticket randomness.</summary>
    public byte[] FromTickets(DomainSeparationTag tag, long epoch, ReadOnlySpan<byte> entropy) =>
        Draw(tag, Blake2b.Hash256(ticketAt(Math.Max(epoch, 0))), epoch, entropy);

    /// <summary>Beacon randomness.</summary>
    public static byte[] FromBeacon(DomainSeparationTag tag, long epoch, ReadOnlySpan<byte> entropy) =>
        Draw(tag, BeaconDigest(epoch), epoch, entropy);

    /// <summary>The beacon digest of an epoch.</summary>
    public static byte[] BeaconDigest(long epoch)
    {
        Span<byte> input = stackalloc byte[6 + 8];
        "beacon"u8.CopyTo(input);
        BinaryPrimitives.WriteInt64BigEndian(input[6..], epoch);
        return Blake2b.Hash256(input);
    }

    /// <summary>Filecoin's <c>DrawRandomnessFromDigest</c>.</summary>
    public static byte[] Draw(DomainSeparationTag tag, ReadOnlySpan<byte> digest, long epoch, ReadOnlySpan<byte> entropy)
    {
        var input = new byte[8 + digest.Length + 8 + entropy.Length];
        BinaryPrimitives.WriteInt64BigEndian(input, (long)tag);
        digest.CopyTo(input.AsSpan(8));
        BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(8 + digest.Length), epoch);
        entropy.CopyTo(input.AsSpan(16 + digest.Length));
        return Blake2b.Hash256(input);
    }

    /// <summary>A miner's entropy: its address as CBOR (what Filecoin's <c>maddr.MarshalCBOR</c> writes).</summary>
    public static byte[] MinerEntropy(Address miner) => Cbor.Encode(w => w.Address(miner));
}
