using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace Granary.Filecoin.Hashing;

/// <summary>
/// SHA-256 of many equal-length messages at once, one message per SIMD lane: 16 lanes with AVX-512, 8 with
/// AVX2, chosen at run time; otherwise one message at a time through the platform's SHA-256. Used where
/// independent hashes of the same shape come in batches (labels of several sectors at one node).
/// </summary>
public static class Sha256Lanes
{
    private static readonly uint[] K =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private static readonly uint[] Initial = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    /// <summary>How many messages one call hashes in parallel on this machine (1 without SIMD).</summary>
    public static int Lanes { get; } = Avx512F.IsSupported ? 16 : Avx2.IsSupported ? 8 : 1;

    /// <summary>Which implementation runs here: <c>avx512</c>, <c>avx2</c> or <c>scalar</c>.</summary>
    public static string Implementation => Lanes switch { 16 => "avx512", 8 => "avx2", _ => "scalar" };

    /// <summary>
    /// Hashes <c>count</c> messages of <paramref name="length"/> bytes laid end to end in
    /// <paramref name="messages"/> into 32-byte digests laid end to end in <paramref name="digests"/>.
    /// Any count works; full groups of <see cref="Lanes"/> are fastest.
    /// </summary>
    public static void Hash(ReadOnlySpan<byte> messages, int length, Span<byte> digests)
    {
        var count = length == 0 ? 0 : messages.Length / length;
        if (messages.Length != count * length || digests.Length < count * 32)
        {
            throw new ArgumentException("messages must be whole and digests must have 32 bytes per message");
        }

        var done = 0;
        if (Avx512F.IsSupported)
        {
            done = HashGroups<Avx512Lanes, Vector512<uint>>(messages, length, digests, count);
        }
        else if (Avx2.IsSupported)
        {
            done = HashGroups<Avx2Lanes, Vector256<uint>>(messages, length, digests, count);
        }

        for (var i = done; i < count; i++)
        {
            SHA256.HashData(messages.Slice(i * length, length), digests.Slice(i * 32, 32));
        }
    }

    // For 64-byte messages the second block is always 0x80, zeros, bit length 512: its whole message
    // schedule is a constant, folded into the round constants once.
    private static readonly uint[] PaddingBlockKw = PrecomputePaddingSchedule();

    /// <summary>
    /// SHA-256 of consecutive 64-byte messages (tree node pairs): <paramref name="children"/> holds
    /// 64·n bytes, <paramref name="digests"/> receives 32·n. The tree-hashing hot path.
    /// </summary>
    public static void HashPairs(ReadOnlySpan<byte> children, Span<byte> digests) => HashPairs(children, digests, truncate: false);

    /// <summary>
    /// <see cref="HashPairs(ReadOnlySpan{byte}, Span{byte})"/>, optionally clearing the top two bits of each
    /// digest (<see cref="Sha254"/>) as it is stored rather than in a second pass.
    /// </summary>
    internal static void HashPairs(ReadOnlySpan<byte> children, Span<byte> digests, bool truncate)
    {
        var count = children.Length / 64;
        if (children.Length != count * 64 || digests.Length < count * 32)
        {
            throw new ArgumentException("children must be 64-byte pairs and digests must have 32 bytes per pair");
        }

        var done = 0;
        if (Avx512F.IsSupported)
        {
            done = HashPairGroups<Avx512Lanes, Vector512<uint>>(children, digests, count, truncate);
        }
        else if (Avx2.IsSupported)
        {
            done = HashPairGroups<Avx2Lanes, Vector256<uint>>(children, digests, count, truncate);
        }

        for (var i = done; i < count; i++)
        {
            SHA256.HashData(children.Slice(i * 64, 64), digests.Slice(i * 32, 32));
            if (truncate)
            {
                digests[(i * 32) + 31] &= 0x3F;
            }
        }
    }

    private static int HashPairGroups<TOps, TVector>(ReadOnlySpan<byte> children, Span<byte> digests, int count, bool truncate)
        where TOps : ILaneOps<TVector>
        where TVector : struct
    {
        var lanes = TOps.Lanes;
        var groups = count / lanes;
        Span<uint> output = stackalloc uint[8 * 16];          // [word][lane]
        var state = new TVector[8];
        var schedule = new TVector[16];
        var last = truncate ? 0xFFFFFF3Fu : uint.MaxValue;
        for (var g = 0; g < groups; g++)
        {
            // Every byte of the group is read before any digest is written, so the digests may overwrite
            // the children in place (tree rows are hashed that way).
            TOps.LoadTransposed(children.Slice(g * lanes * 64, lanes * 64), 64, schedule);
            for (var i = 0; i < 8; i++)
            {
                state[i] = TOps.Broadcast(Initial[i]);
            }

            Compress<TOps, TVector>(state, schedule);
            CompressConstantBlock<TOps, TVector>(state);
            for (var i = 0; i < 8; i++)
            {
                TOps.Store(state[i], ref output[i * lanes]);
            }

            TOps.StoreTransposed(output, digests.Slice(g * lanes * 32, lanes * 32), last);
        }

        return groups * lanes;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CompressConstantBlock<TOps, TVector>(TVector[] state)
        where TOps : ILaneOps<TVector>
        where TVector : struct
    {
        TVector a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        for (var t = 0; t < 64; t++)
        {
            var sigma1 = TOps.Xor3(TOps.Ror(e, 6), TOps.Ror(e, 11), TOps.Ror(e, 25));
            var t1 = TOps.Add(TOps.Add(h, sigma1), TOps.Add(TOps.Choose(e, f, g), TOps.Broadcast(PaddingBlockKw[t])));
            var sigma0 = TOps.Xor3(TOps.Ror(a, 2), TOps.Ror(a, 13), TOps.Ror(a, 22));
            var t2 = TOps.Add(sigma0, TOps.Majority(a, b, c));
            h = g;
            g = f;
            f = e;
            e = TOps.Add(d, t1);
            d = c;
            c = b;
            b = a;
            a = TOps.Add(t1, t2);
        }

        Accumulate<TOps, TVector>(state, a, b, c, d, e, f, g, h);
    }

    private static uint[] PrecomputePaddingSchedule()
    {
        var w = new uint[64];
        w[0] = 0x80000000;
        w[15] = 512;
        for (var t = 16; t < 64; t++)
        {
            var s0 = uint.RotateRight(w[t - 15], 7) ^ uint.RotateRight(w[t - 15], 18) ^ (w[t - 15] >> 3);
            var s1 = uint.RotateRight(w[t - 2], 17) ^ uint.RotateRight(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }

        return [.. w.Select((x, t) => x + K[t])];
    }

    private static int HashGroups<TOps, TVector>(ReadOnlySpan<byte> messages, int length, Span<byte> digests, int count)
        where TOps : ILaneOps<TVector>
        where TVector : struct
    {
        var lanes = TOps.Lanes;
        var groups = count / lanes;
        var blocks = (length + 9 + 63) / 64;
        var full = length % 4 == 0 ? length / 64 : 0;       // blocks gathered straight from the messages
        Span<uint> words = stackalloc uint[16 * 16];          // [word][lane], at most 16 lanes
        Span<byte> tail = stackalloc byte[128];
        var state = new TVector[8];
        var schedule = new TVector[16];
        Span<uint> output = stackalloc uint[8 * 16];
        for (var g = 0; g < groups; g++)
        {
            var group = messages.Slice(g * lanes * length, lanes * length);
            for (var i = 0; i < 8; i++)
            {
                state[i] = TOps.Broadcast(Initial[i]);
            }

            for (var block = 0; block < blocks; block++)
            {
                if (block < full)
                {
                    TOps.LoadTransposed(group[(block * 64)..], length, schedule);
                }
                else
                {
                    // The padded tail: assembled per lane, then loaded as words.
                    for (var lane = 0; lane < lanes; lane++)
                    {
                        var bytes = BlockBytes(group.Slice(lane * length, length), block, blocks, tail);
                        for (var w = 0; w < 16; w++)
                        {
                            words[(w * lanes) + lane] = BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(w * 4, 4));
                        }
                    }

                    for (var w = 0; w < 16; w++)
                    {
                        schedule[w] = TOps.Load(ref words[w * lanes]);
                    }
                }

                Compress<TOps, TVector>(state, schedule);
            }

            for (var i = 0; i < 8; i++)
            {
                TOps.Store(state[i], ref output[i * lanes]);
            }

            TOps.StoreTransposed(output, digests.Slice(g * lanes * 32, lanes * 32), uint.MaxValue);
        }

        return groups * lanes;
    }

    // The 64 bytes of block `block` of the padded message (padding: 0x80, zeros, bit length big-endian).
    private static ReadOnlySpan<byte> BlockBytes(ReadOnlySpan<byte> message, int block, int blocks, Span<byte> tail)
    {
        var start = block * 64;
        if (start + 64 <= message.Length)
        {
            return message.Slice(start, 64);
        }

        var tailStart = (message.Length / 64) * 64;
        if (block == message.Length / 64)
        {
            tail.Clear();
            message[tailStart..].CopyTo(tail);
            tail[message.Length - tailStart] = 0x80;
            BinaryPrimitives.WriteUInt64BigEndian(tail.Slice(((blocks * 64) - tailStart) - 8, 8), (ulong)message.Length * 8);
        }

        return tail.Slice(start - tailStart, 64);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compress<TOps, TVector>(TVector[] state, TVector[] w)
        where TOps : ILaneOps<TVector>
        where TVector : struct
    {
        TVector a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        for (var t = 0; t < 64; t++)
        {
            TVector wt;
            if (t < 16)
            {
                wt = w[t];
            }
            else
            {
                var w15 = w[(t - 15) & 15];
                var w2 = w[(t - 2) & 15];
                var s0 = TOps.Xor3(TOps.Ror(w15, 7), TOps.Ror(w15, 18), TOps.Shr(w15, 3));
                var s1 = TOps.Xor3(TOps.Ror(w2, 17), TOps.Ror(w2, 19), TOps.Shr(w2, 10));
                wt = TOps.Add(TOps.Add(w[t & 15], s0), TOps.Add(w[(t - 7) & 15], s1));
                w[t & 15] = wt;
            }

            var sigma1 = TOps.Xor3(TOps.Ror(e, 6), TOps.Ror(e, 11), TOps.Ror(e, 25));
            var t1 = TOps.Add(TOps.Add(h, sigma1), TOps.Add(TOps.Choose(e, f, g), TOps.Add(TOps.Broadcast(K[t]), wt)));
            var sigma0 = TOps.Xor3(TOps.Ror(a, 2), TOps.Ror(a, 13), TOps.Ror(a, 22));
            var t2 = TOps.Add(sigma0, TOps.Majority(a, b, c));
            h = g;
            g = f;
            f = e;
            e = TOps.Add(d, t1);
            d = c;
            c = b;
            b = a;
            a = TOps.Add(t1, t2);
        }

        Accumulate<TOps, TVector>(state, a, b, c, d, e, f, g, h);
    }

    // The end of every compression: the working variables are added into the chaining state.
    private static void Accumulate<TOps, TVector>(TVector[] state, TVector a, TVector b, TVector c, TVector d, TVector e, TVector f, TVector g, TVector h)
        where TOps : ILaneOps<TVector>
        where TVector : struct
    {
        state[0] = TOps.Add(state[0], a);
        state[1] = TOps.Add(state[1], b);
        state[2] = TOps.Add(state[2], c);
        state[3] = TOps.Add(state[3], d);
        state[4] = TOps.Add(state[4], e);
        state[5] = TOps.Add(state[5], f);
        state[6] = TOps.Add(state[6], g);
        state[7] = TOps.Add(state[7], h);
    }
}
