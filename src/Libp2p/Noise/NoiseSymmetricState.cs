using System.Security.Cryptography;
using System.Text;

namespace Granary.Libp2p.Noise;

/// <summary>The Noise SymmetricState (chaining key, handshake hash, cipher) for SHA-256 and ChaChaPoly.</summary>
internal sealed class NoiseSymmetricState : IDisposable
{
    private const int HashSize = 32;

    private readonly byte[] _ck = new byte[HashSize];
    private readonly byte[] _h = new byte[HashSize];
    private readonly NoiseCipherState _cipher = new();

    /// <summary>InitializeSymmetric(protocolName).</summary>
    public NoiseSymmetricState(string protocolName)
    {
        var name = Encoding.ASCII.GetBytes(protocolName);
        if (name.Length <= HashSize)
        {
            name.CopyTo(_h, 0);
        }
        else
        {
            SHA256.HashData(name, _h);
        }

        _h.CopyTo(_ck, 0);
    }

    /// <summary>The handshake hash h (the channel binding once the handshake is over).</summary>
    public ReadOnlySpan<byte> HandshakeHash => _h;

    /// <summary>Whether MixKey has run (payloads are encrypted from then on).</summary>
    public bool HasKey => _cipher.HasKey;

    /// <summary>MixHash: h = SHA256(h ‖ data).</summary>
    public void MixHash(ReadOnlySpan<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(_h);
        hash.AppendData(data);
        hash.GetHashAndReset(_h);
    }

    /// <summary>MixKey: ck, k = HKDF(ck, ikm); the cipher gets k with nonce 0.</summary>
    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> output = stackalloc byte[2 * HashSize];
        Hkdf(inputKeyMaterial, output);
        output[..HashSize].CopyTo(_ck);
        _cipher.InitializeKey(output[HashSize..]);
        CryptographicOperations.ZeroMemory(output);
    }

    /// <summary>EncryptAndHash: encrypt with h as associated data (if keyed), then mix the ciphertext into h.</summary>
    public byte[] EncryptAndHash(ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = new byte[plaintext.Length + (_cipher.HasKey ? NoiseCipherState.TagSize : 0)];
        _cipher.Encrypt(_h, plaintext, ciphertext);
        MixHash(ciphertext);
        return ciphertext;
    }

    /// <summary>DecryptAndHash; null when authentication fails.</summary>
    public byte[]? DecryptAndHash(ReadOnlySpan<byte> ciphertext)
    {
        var tag = _cipher.HasKey ? NoiseCipherState.TagSize : 0;
        if (ciphertext.Length < tag)
        {
            return null;
        }

        var plaintext = new byte[ciphertext.Length - tag];
        if (!_cipher.TryDecrypt(_h, ciphertext, plaintext))
        {
            return null;
        }

        MixHash(ciphertext);
        return plaintext;
    }

    /// <summary>Split: the initiator→responder and responder→initiator transport ciphers.</summary>
    public (NoiseCipherState InitiatorToResponder, NoiseCipherState ResponderToInitiator) Split()
    {
        Span<byte> output = stackalloc byte[2 * HashSize];
        Hkdf([], output);
        var result = (new NoiseCipherState(output[..HashSize]), new NoiseCipherState(output[HashSize..]));
        CryptographicOperations.ZeroMemory(output);
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_ck);
        _cipher.Dispose();
    }

    // Noise's HKDF(ck, ikm) with two outputs: temp = HMAC(ck, ikm), out1 = HMAC(temp, 0x01),
    // out2 = HMAC(temp, out1 ‖ 0x02). That is RFC 5869 with salt = ck and empty info, but the BCL's HKDF.DeriveKey
    // fails on Linux for the empty ikm of Split(), so it is spelled out with HMAC here.
    private void Hkdf(ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output)
    {
        Span<byte> temp = stackalloc byte[HashSize];
        Span<byte> block = stackalloc byte[HashSize + 1];
        HMACSHA256.HashData(_ck, inputKeyMaterial, temp);
        block[0] = 0x01;
        HMACSHA256.HashData(temp, block[..1], output[..HashSize]);
        output[..HashSize].CopyTo(block);
        block[HashSize] = 0x02;
        HMACSHA256.HashData(temp, block, output[HashSize..]);
        CryptographicOperations.ZeroMemory(temp);
        CryptographicOperations.ZeroMemory(block);
    }
}
