using Granary.Libp2p.Peers;

namespace Granary.Libp2p.Noise;

/// <summary>
/// A completed, authenticated Noise handshake: the encrypted stream and who is on the other end.
/// </summary>
public sealed class NoiseSession
{
    internal NoiseSession(Stream stream, PublicKey remoteKey, IReadOnlyList<string> remoteMuxers, string? negotiatedMuxer)
    {
        Stream = stream;
        RemoteKey = remoteKey;
        RemotePeer = remoteKey.ToPeerId();
        RemoteMuxers = remoteMuxers;
        NegotiatedMuxer = negotiatedMuxer;
    }

    /// <summary>
    /// The secure channel. Reads and writes are Noise transport frames (u16 BE length, at most 65519 plaintext bytes
    /// per frame) underneath. One reader and one writer may run concurrently; concurrent writes must be serialized
    /// by the caller (yamux does). Disposing it closes the inner connection.
    /// </summary>
    public Stream Stream { get; }

    /// <summary>The remote peer id, derived from <see cref="RemoteKey"/> (and equal to the expected one, outbound).</summary>
    public PeerId RemotePeer { get; }

    /// <summary>The remote identity key, whose signature over the remote Noise static key was verified.</summary>
    public PublicKey RemoteKey { get; }

    /// <summary>
    /// The <c>stream_muxers</c> the remote announced in its handshake payload (empty when it sent none).
    /// </summary>
    public IReadOnlyList<string> RemoteMuxers { get; }

    /// <summary>
    /// The muxer chosen by inlined negotiation, or null. It is set exactly when both sides announced a non-empty
    /// <c>stream_muxers</c> list; it is then the first entry of the initiator's list that the responder also lists,
    /// and the host must start that muxer right away and skip the multistream-select muxer negotiation. When null,
    /// the host negotiates the muxer with multistream-select over <see cref="Stream"/> as usual.
    /// </summary>
    public string? NegotiatedMuxer { get; }
}
