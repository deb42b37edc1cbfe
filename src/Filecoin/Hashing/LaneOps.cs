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
}
