using System.Buffers.Binary;

namespace Granary.Proofs.Fields;

/// <summary>
/// Addition and subtraction in the BLS12-381 scalar field, on 32-byte little-endian elements, as the
/// replica encoding needs (replica = data + key mod r; unseal: data = replica − key mod r).
/// </summary>
public static class Fr
{
    // r = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001, little-endian limbs.
    private static readonly ulong[] Modulus = [0xffffffff00000001, 0x53bda402fffe5bfe, 0x3339d80809a1d805, 0x73eda753299d7d48];

    /// <summary>out = (a + b) mod r, for a, b &lt; r.</summary>
    public static void Add(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> result)
    {
        Span<ulong> sum = stackalloc ulong[4];
        ulong carry = 0;
        for (var i = 0; i < 4; i++)
        {
            var x = Limb(a, i);
            var s = x + Limb(b, i);
            var c1 = s < x ? 1UL : 0;
            var s2 = s + carry;
            var c2 = s2 < s ? 1UL : 0;
            sum[i] = s2;
            carry = c1 | c2;
        }

        if (carry != 0 || !LessThanModulus(sum))
        {
            SubtractModulus(sum);
        }

        Write(sum, result);
    }

    /// <summary>out = (a − b) mod r, for a, b &lt; r.</summary>
    public static void Subtract(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> result)
    {
        Span<ulong> diff = stackalloc ulong[4];
        ulong borrow = 0;
        for (var i = 0; i < 4; i++)
        {
            var x = Limb(a, i);
            var y = Limb(b, i);
            var d = x - y;
            var b1 = x < y ? 1UL : 0;
            var d2 = d - borrow;
            var b2 = d < borrow ? 1UL : 0;
            diff[i] = d2;
            borrow = b1 | b2;
        }

        if (borrow != 0)
        {
            ulong carry = 0;
            for (var i = 0; i < 4; i++)
            {
                var s = diff[i] + Modulus[i];
                var c1 = s < diff[i] ? 1UL : 0;
                var s2 = s + carry;
                var c2 = s2 < s ? 1UL : 0;
                diff[i] = s2;
                carry = c1 | c2;
            }
        }

        Write(diff, result);
    }

    /// <summary>True if the 32-byte little-endian value is below r.</summary>
    public static bool IsCanonical(ReadOnlySpan<byte> value)
    {
        Span<ulong> limbs = stackalloc ulong[4];
        for (var i = 0; i < 4; i++)
        {
            limbs[i] = Limb(value, i);
        }

        return LessThanModulus(limbs);
    }

    private static ulong Limb(ReadOnlySpan<byte> bytes, int i) => BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(i * 8, 8));

    private static void Write(ReadOnlySpan<ulong> limbs, Span<byte> output)
    {
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(i * 8, 8), limbs[i]);
        }
    }

    private static bool LessThanModulus(ReadOnlySpan<ulong> v)
    {
        for (var i = 3; i >= 0; i--)
        {
            if (v[i] != Modulus[i])
            {
                return v[i] < Modulus[i];
            }
        }

        return false;
    }

    private static void SubtractModulus(Span<ulong> v)
    {
        ulong borrow = 0;
        for (var i = 0; i < 4; i++)
        {
            var d = v[i] - Modulus[i];
            var b1 = v[i] < Modulus[i] ? 1UL : 0;
            var d2 = d - borrow;
            var b2 = d < borrow ? 1UL : 0;
            v[i] = d2;
            borrow = b1 | b2;
        }
    }
}
