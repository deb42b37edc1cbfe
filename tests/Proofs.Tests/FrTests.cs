using System.Numerics;
using Granary.Proofs.Fields;

namespace Granary.Proofs.Tests;

/// <summary>The field arithmetic against System.Numerics.BigInteger.</summary>
public sealed class FrTests
{
    private static readonly BigInteger R = BigInteger.Parse("52435875175126190479447740508185965837690552500527637822603658699938581184513");

    [Fact]
    public void Add_and_subtract_match_big_integer_arithmetic_mod_r()
    {
        var random = new Random(5);
        var cases = new List<(BigInteger, BigInteger)> { (R - 1, 1), (R - 1, R - 1), (0, 0), (0, R - 1), (1, R - 1) };
        for (var i = 0; i < 2000; i++)
        {
            cases.Add((RandomBelowR(random), RandomBelowR(random)));
        }

        Span<byte> sum = stackalloc byte[32];
        Span<byte> difference = stackalloc byte[32];
        foreach (var (a, b) in cases)
        {
            Fr.Add(Bytes(a), Bytes(b), sum);
            Fr.Subtract(Bytes(a), Bytes(b), difference);
            Assert.Equal((a + b) % R, Value(sum));
            Assert.Equal(((a - b) % R + R) % R, Value(difference));
        }
    }

    [Fact]
    public void Canonical_means_below_r()
    {
        Assert.True(Fr.IsCanonical(Bytes(R - 1)));
        Assert.False(Fr.IsCanonical(Bytes(R)));
    }

    private static BigInteger RandomBelowR(Random random)
    {
        var bytes = new byte[33];
        random.NextBytes(bytes.AsSpan(0, 32));
        return new BigInteger(bytes) % R;
    }

    private static byte[] Bytes(BigInteger value)
    {
        var bytes = new byte[32];
        value.TryWriteBytes(bytes, out _, isUnsigned: true);
        return bytes;
    }

    private static BigInteger Value(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true);
}
