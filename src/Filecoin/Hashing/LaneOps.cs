using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Granary.Filecoin.Hashing;

/// <summary>The few 32-bit lane operations SHA-256 needs, over one vector width.</summary>
internal interface ILaneOps<TVector>
{
    static abstract int Lanes { get; }
    static abstract TVector Broadcast(uint value);
    static abstract TVector Load(ref uint source);
    static abstract void Store(TVector value, ref uint destination);
    static abstract TVector Add(TVector a, TVector b);
    static abstract TVector Ror(TVector x, [ConstantExpected] byte n);
    static abstract TVector Shr(TVector x, [ConstantExpected] byte n);
    static abstract TVector Xor3(TVector a, TVector b, TVector c);
    static abstract TVector Choose(TVector e, TVector f, TVector g);
    static abstract TVector Majority(TVector a, TVector b, TVector c);

    /// <summary>
    /// Loads one 64-byte block of each of <c>Lanes</c> messages that start <paramref name="stride"/> bytes
    /// apart (a multiple of 4) as 16 big-endian words, word <c>w</c> of every lane in <c>words[w]</c>.
    /// </summary>
    static abstract void LoadTransposed(ReadOnlySpan<byte> messages, int stride, TVector[] words);

    /// <summary>Writes <c>Lanes</c> 32-byte digests from <c>state</c> laid out [word][lane]; word 7 is masked with <c>last</c>.</summary>
    static abstract void StoreTransposed(ReadOnlySpan<uint> state, Span<byte> digests, uint last);
}

/// <summary>Gathers and byte order for the lane transposition, shared by both widths.</summary>
internal static unsafe class LaneTranspose
{
    // Reverses the bytes of each 32-bit word (SHA-256 is big-endian); repeats per 128-bit lane.
    private static readonly Vector512<byte> Swap = Vector512.Create(
        (byte)3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12,
        3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);

    public static Vector256<byte> Swap256 => Swap.GetLower();

    /// <summary>Every lane's digest: word i of lane l is at state[i·lanes + l].</summary>
    public static void StoreDigests(ReadOnlySpan<uint> state, Span<byte> digests, uint last, int lanes)
    {
        var stride = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * lanes;
        var mask = Vector256.Create(uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, last);
        fixed (uint* s = state)
        fixed (byte* d = digests)
        {
            for (var lane = 0; lane < lanes; lane++)
            {
                var words = Avx2.GatherVector256(s + lane, stride, 4) & mask;
                Avx2.Shuffle(words.AsByte(), Swap256).Store(d + (lane * 32));
            }
        }
    }

    /// <summary>Word offsets of 8 lanes whose messages start <paramref name="stride"/> bytes apart.</summary>
    public static Vector256<int> Index(int stride) => Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * (stride / 4);

    public static Vector512<uint> Load512(byte* messages, int stride, Vector256<int> index, int word)
    {
        // No 512-bit gather is exposed: two 8-lane gathers, lanes 0-7 and 8-15.
        var low = Avx2.GatherVector256((uint*)messages + word, index, 4);
        var high = Avx2.GatherVector256((uint*)(messages + (8 * stride)) + word, index, 4);
        return Avx512BW.Shuffle(Vector512.Create(low, high).AsByte(), Swap).AsUInt32();
    }

    public static Vector256<uint> Load256(byte* messages, Vector256<int> index, int word) =>
        Avx2.Shuffle(Avx2.GatherVector256((uint*)messages + word, index, 4).AsByte(), Swap256).AsUInt32();
}

/// <summary>16 lanes with AVX-512: native rotates and three-input logic.</summary>
internal readonly struct Avx512Lanes : ILaneOps<Vector512<uint>>
{
    public static int Lanes => 16;
    public static Vector512<uint> Broadcast(uint value) => Vector512.Create(value);
    public static Vector512<uint> Load(ref uint source) => Vector512.LoadUnsafe(ref source);
    public static void Store(Vector512<uint> value, ref uint destination) => value.StoreUnsafe(ref destination);
    public static Vector512<uint> Add(Vector512<uint> a, Vector512<uint> b) => a + b;
    public static Vector512<uint> Ror(Vector512<uint> x, [ConstantExpected] byte n) => Avx512F.RotateRight(x, n);
    public static Vector512<uint> Shr(Vector512<uint> x, [ConstantExpected] byte n) => Vector512.ShiftRightLogical(x, n);
    public static Vector512<uint> Xor3(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c) => Avx512F.TernaryLogic(a, b, c, 0x96);
    public static Vector512<uint> Choose(Vector512<uint> e, Vector512<uint> f, Vector512<uint> g) => Avx512F.TernaryLogic(e, f, g, 0xCA);
    public static Vector512<uint> Majority(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c) => Avx512F.TernaryLogic(a, b, c, 0xE8);

    public static unsafe void LoadTransposed(ReadOnlySpan<byte> messages, int stride, Vector512<uint>[] words)
    {
        if (messages.Length < (15 * stride) + 64)
        {
            throw new ArgumentException("messages end before the last lane's block");
        }

        var index = LaneTranspose.Index(stride);
        fixed (byte* m = messages)
        {
            for (var w = 0; w < 16; w++)
            {
                words[w] = LaneTranspose.Load512(m, stride, index, w);
            }
        }
    }

    public static void StoreTransposed(ReadOnlySpan<uint> state, Span<byte> digests, uint last) => LaneTranspose.StoreDigests(state, digests, last, 16);
}

/// <summary>8 lanes with AVX2 (rotates as two shifts).</summary>
internal readonly struct Avx2Lanes : ILaneOps<Vector256<uint>>
{
    public static int Lanes => 8;
    public static Vector256<uint> Broadcast(uint value) => Vector256.Create(value);
    public static Vector256<uint> Load(ref uint source) => Vector256.LoadUnsafe(ref source);
    public static void Store(Vector256<uint> value, ref uint destination) => value.StoreUnsafe(ref destination);
    public static Vector256<uint> Add(Vector256<uint> a, Vector256<uint> b) => a + b;
    public static Vector256<uint> Ror(Vector256<uint> x, [ConstantExpected] byte n) =>
        Vector256.ShiftRightLogical(x, n) | Vector256.ShiftLeft(x, 32 - n);
    public static Vector256<uint> Shr(Vector256<uint> x, [ConstantExpected] byte n) => Vector256.ShiftRightLogical(x, n);
    public static Vector256<uint> Xor3(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c) => a ^ b ^ c;
    public static Vector256<uint> Choose(Vector256<uint> e, Vector256<uint> f, Vector256<uint> g) => g ^ (e & (f ^ g));
    public static Vector256<uint> Majority(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c) => (a & b) | (c & (a | b));

    public static unsafe void LoadTransposed(ReadOnlySpan<byte> messages, int stride, Vector256<uint>[] words)
    {
        if (messages.Length < (7 * stride) + 64)
        {
            throw new ArgumentException("messages end before the last lane's block");
        }

        var index = LaneTranspose.Index(stride);
        fixed (byte* m = messages)
        {
            for (var w = 0; w < 16; w++)
            {
                words[w] = LaneTranspose.Load256(m, index, w);
            }
        }
    }

    public static void StoreTransposed(ReadOnlySpan<uint> state, Span<byte> digests, uint last) => LaneTranspose.StoreDigests(state, digests, last, 8);
}
