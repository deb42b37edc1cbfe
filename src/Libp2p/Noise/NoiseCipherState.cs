using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Granary.Libp2p.Noise;

/// <summary>
/// A Noise CipherState for ChaChaPoly: a key (or none) and a 64-bit nonce, encoded as 4 zero bytes followed by the
/// little-endian counter. One BCL <see cref="ChaCha20Poly1305"/> instance is kept per key so transport frames do not
/// allocate.
/// </summary>
internal sealed class NoiseCipherState : IDisposable
{
    /// <summary>Poly1305 tag length.</summary>
    public const int TagSize = 16;

    /// <summary>Key length.</summary>
    public const int KeySize = 32;

    private ChaCha20Poly1305? _aead;

    /// <summary>A cipher with no key: encryption is the identity (the start of a handshake).</summary>
    public NoiseCipherState()
    {
    }

    /// <summary>A cipher with <paramref name="key"/> and nonce 0.</summary>
    public NoiseCipherState(ReadOnlySpan<byte> key) => InitializeKey(key);

    /// <summary>Whether a key is set.</summary>
    public bool HasKey => _aead is not null;

    /// <summary>The next nonce to use.</summary>
    public ulong Nonce { get; private set; }

    /// <summary>Sets a new key and resets the nonce.</summary>
    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        _aead?.Dispose();
        _aead = new ChaCha20Poly1305(key);
        Nonce = 0;
    }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> into <paramref name="destination"/> (ciphertext then tag, so
    /// plaintext.Length + 16 bytes). The two may be the same memory. Without a key, copies the plaintext.
    /// </summary>
    public void Encrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (_aead is null)
        {
            plaintext.CopyTo(destination);
            return;
        }

        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        _aead.Encrypt(nonce, plaintext, destination[..plaintext.Length], destination.Slice(plaintext.Length, TagSize), associatedData);
        Nonce++;
    }

    /// <summary>
    /// Decrypts ciphertext‖tag into <paramref name="plaintext"/> (ciphertext.Length - 16 bytes; may be the same
    /// memory as the ciphertext). Returns false when authentication fails; the nonce then stays where it was.
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> plaintext)
    {
        if (_aead is null)
        {
            ciphertextAndTag.CopyTo(plaintext);
            return true;
        }

        if (ciphertextAndTag.Length < TagSize)
        {
            return false;
        }

        var length = ciphertextAndTag.Length - TagSize;
        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        try
        {
            _aead.Decrypt(nonce, ciphertextAndTag[..length], ciphertextAndTag.Slice(length, TagSize), plaintext[..length], associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        Nonce++;
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _aead?.Dispose();

    private void NextNonce(Span<byte> nonce)
    {
        // Noise reserves 2^64-1; reaching it means the connection must end rather than reuse a nonce.
        if (Nonce == ulong.MaxValue)
        {
            throw new Libp2pProtocolException("Noise nonce space exhausted; the connection must be closed");
        }

        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], Nonce);
    }
}
