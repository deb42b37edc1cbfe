using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Granary.Libp2p.Noise;

/// <summary>The Noise DH functions for 25519 (RFC 7748 X25519, via BouncyCastle: .NET 10 has none).</summary>
internal static class NoiseX25519
{
    /// <summary>Key and shared-secret length.</summary>
    public const int KeySize = 32;

    /// <summary>A random private key (X25519 clamps it when used).</summary>
    public static byte[] GeneratePrivateKey() => RandomNumberGenerator.GetBytes(KeySize);

    /// <summary>The public key of <paramref name="privateKey"/>.</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> privateKey)
    {
        var publicKey = new byte[KeySize];
        X25519.ScalarMultBase(privateKey, publicKey);
        return publicKey;
    }

    /// <summary>DH(private, remote public) into <paramref name="shared"/>.</summary>
    /// <exception cref="NoiseHandshakeException">The result is all zeros: the remote key has small order, so the
    /// "secret" would be known to anyone.</exception>
    public static void Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> remotePublicKey, Span<byte> shared)
    {
        X25519.ScalarMult(privateKey, remotePublicKey, shared);
        if (shared.IndexOfAnyExcept((byte)0) < 0)
        {
            throw new NoiseHandshakeException("X25519 agreement gave the all-zero secret: the remote key is a low-order point");
        }
    }
}
