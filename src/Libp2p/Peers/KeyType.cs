namespace Granary.Libp2p.Peers;

/// <summary>The libp2p key types, with the numbers of the <c>KeyType</c> protobuf enum (peer-ids spec).</summary>
public enum KeyType
{
    /// <summary>RSA: PKIX DER public key, RSASSA-PKCS1-v1_5 over SHA-256.</summary>
    Rsa = 0,

    /// <summary>Ed25519: 32-byte public key, RFC 8032 signatures. Every libp2p node must support it.</summary>
    Ed25519 = 1,

    /// <summary>secp256k1: 33-byte compressed point, DER ECDSA over SHA-256.</summary>
    Secp256k1 = 2,

    /// <summary>ECDSA on a NIST curve: PKIX DER public key, DER signature over SHA-256.</summary>
    Ecdsa = 3,
}
