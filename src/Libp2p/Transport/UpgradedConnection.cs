using System.Net.Sockets;
using Granary.Libp2p.Noise;
using Granary.Libp2p.Yamux;

namespace Granary.Libp2p.Transport;

/// <summary>A TCP connection after the upgrade: authenticated by Noise, multiplexed by yamux.</summary>
/// <param name="Socket">The TCP socket underneath (owned by <paramref name="Session"/>; kept to force it shut).</param>
/// <param name="Noise">The Noise session: who the peer is.</param>
/// <param name="Session">The running yamux session, which owns the connection from now on.</param>
/// <param name="Muxer">The muxer protocol id (<c>/yamux/1.0.0</c>).</param>
/// <param name="MuxerInlined">True when the muxer was agreed inside the Noise handshake (no multistream round).</param>
internal sealed record UpgradedConnection(Socket Socket, NoiseSession Noise, YamuxSession Session, string Muxer, bool MuxerInlined);
