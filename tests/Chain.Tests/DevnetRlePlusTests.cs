using Granary.Chain.Model;

namespace Granary.Chain.Tests;

public sealed class DevnetRlePlusTests
{
    // Bits written least significant first, as the spec's examples list them.
    private static byte[] Pack(params int[] bits)
    {
        var bytes = new byte[(bits.Length + 7) / 8];
        for (var i = 0; i < bits.Length; i++)
        {
            bytes[i / 8] |= (byte)(bits[i] << (i % 8));
        }

        return bytes;
    }

    [Fact]
    public void Encodings_match_the_specs_examples()
    {
        // version 00, first bit 1, short block "01" + 8 (0001 LSB first): eight ones.
        Assert.Equal(Pack(0, 0, 1, 0, 1, 0, 0, 0, 1), RlePlus.Encode(new BitField(Enumerable.Range(0, 8).Select(i => (ulong)i))));
        // four ones, one zero, three ones.
        Assert.Equal(Pack(0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0), RlePlus.Encode(new BitField([0, 1, 2, 3, 5, 6, 7])));
        // 25 ones: long block "00" + varint 25 (10011000 LSB first).
        Assert.Equal(Pack(0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0), RlePlus.Encode(new BitField(Enumerable.Range(0, 25).Select(i => (ulong)i))));
        Assert.Empty(RlePlus.Encode(BitField.Empty));
        Assert.Equal(new BitField([0]), RlePlus.Decode(Pack(0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1)));
    }

    [Fact]
    public void Round_trips_sets_starting_with_zeros_long_runs_and_sparse_bits()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var bits = new BitField(Enumerable.Range(0, random.Next(0, 400)).Where(_ => random.Next(3) == 0).Select(b => (ulong)(b * random.Next(1, 5))));
            Assert.Equal(bits, RlePlus.Decode(RlePlus.Encode(bits)));
        }

        var far = new BitField([5_000_000, 5_000_001, 1UL << 40]);
        Assert.Equal(far, RlePlus.Decode(RlePlus.Encode(far)));
    }

    [Fact]
    public void Bad_versions_long_varints_and_oversized_sets_are_refused()
    {
        Assert.Throws<FormatException>(() => RlePlus.Decode([0x01]));
        Assert.Throws<FormatException>(() => RlePlus.Decode([0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]));
        var huge = RlePlus.Encode(new BitField(Enumerable.Range(0, 100).Select(i => (ulong)i)));
        Assert.Throws<FormatException>(() => RlePlus.Decode(huge, maxMembers: 99));
        Assert.Throws<FormatException>(() => RlePlus.Decode(new byte[RlePlus.MaxBytes + 1]));
    }

    [Fact]
    public void Random_mutations_give_a_set_or_a_format_error()
    {
        var random = new Random(2024);
        var seed = RlePlus.Encode(new BitField([1, 2, 3, 10, 11, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 300]));
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = (byte[])seed.Clone();
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            if (random.Next(4) == 0)
            {
                bytes = bytes[..random.Next(bytes.Length + 1)];
            }

            try
            {
                RlePlus.Decode(bytes, maxMembers: 1 << 16);
            }
            catch (FormatException)
            {
                // refused with a reason
            }
        }
    }
}
