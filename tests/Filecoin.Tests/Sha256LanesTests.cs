using System.Security.Cryptography;
using Granary.Filecoin.Hashing;

namespace Granary.Filecoin.Tests;

/// <summary>The lane hasher against the platform's SHA-256 (OpenSSL on Linux).</summary>
public sealed class Sha256LanesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(55)]
    [InlineData(56)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(119)]
    [InlineData(120)]
    [InlineData(128)]
    [InlineData(1000)]
    [InlineData(1248)]
    public void Every_lane_matches_sha256(int length)
    {
        var random = new Random(length);
        foreach (var count in new[] { 1, 7, 8, 9, 16, 17, 33 })
        {
            var messages = new byte[count * length];
            random.NextBytes(messages);
            var digests = new byte[count * 32];

            Sha256Lanes.Hash(messages, length, digests);

            for (var i = 0; i < count; i++)
            {
                Assert.Equal(SHA256.HashData(messages.AsSpan(i * length, length)), digests.AsSpan(i * 32, 32).ToArray());
            }
        }
    }

    [Fact]
    public void Ragged_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Sha256Lanes.Hash(new byte[100], 64, new byte[64]));
        Assert.Throws<ArgumentException>(() => Sha256Lanes.Hash(new byte[128], 64, new byte[32]));
    }

    [Fact]
    public void This_machine_uses_simd_lanes_when_it_has_them()
    {
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            Assert.True(Sha256Lanes.Lanes >= 8, Sha256Lanes.Implementation);
        }
    }
}
