using System.Text.Json;
using Granary.Chain.Json;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Grains.Miner;
using Granary.Grains.Placement;
using Granary.Libp2p;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Granary.Proofs;
using Granary.Silo.Api;
using Granary.Silo.Chain;

namespace Granary.Silo.Hosting;

/// <summary>
/// lotus-miner's <c>ActorAddress</c> and <c>ActorSectorSize</c> (read), and Granary's <c>ActorInfo</c> (read: the
/// miner grain's mirror of the on-chain info, in Lotus JSON), <c>ActorSetPeerID</c> and <c>ActorSetAddrs</c> (admin:
/// the miner grain sends ChangePeerID / ChangeMultiaddrs from the worker and waits for them to land). The miner is
/// the one in this silo's <c>REPO/miner.json</c>.
/// </summary>
internal static class ActorMethods
{
    public static IEnumerable<RpcMethod> Create(SiloIdentity identity, IGrainFactory grains) =>
    [
        new("Filecoin.ActorAddress", Permission.Read, (_, _) => Task.FromResult<object?>(Miner(identity).Miner)),
        new("Filecoin.ActorSectorSize", Permission.Read, (p, _) =>
        {
            var miner = Miner(identity);
            if (p.Count > 0 && !SameAddress(p.Get<string>(0, "miner"), miner.Miner))
            {
                throw new RpcException(RpcException.MethodError, $"this silo's miner is {miner.Miner}, not {p.Get<string>(0, "miner")}");
            }

            return Task.FromResult<object?>(SealProofType.FromSizeName(miner.SectorSize).SectorSize);
        }),
        new("Filecoin.ActorInfo", Permission.Read, async (p, _) =>
        {
            var refresh = p.Count > 0 && p.Get<bool>(0, "refresh");
            return Describe(await Call(() => Grain(identity, grains).GetInfo(refresh)));
        }),
        new("Filecoin.ActorSetPeerID", Permission.Admin, async (p, _) =>
        {
            var peerId = ParsePeerId(p.Get<string>(0, "peer id"));
            return Describe(await Call(() => Grain(identity, grains).SetPeerId(peerId)));
        }),
        new("Filecoin.ActorSetAddrs", Permission.Admin, async (p, _) =>
        {
            var multiaddrs = ParseMultiaddrs(p.Get<string[]>(0, "multiaddrs"));
            return Describe(await Call(() => Grain(identity, grains).SetMultiaddrs(multiaddrs)));
        }),
    ];

    private static MinerFile Miner(SiloIdentity identity) => MinerFile.Read(identity.Repo.Root)
        ?? throw new RpcException(RpcException.MethodError,
            $"this silo's repo {identity.Repo.Root} has no miner: run `granary init --repo {identity.Repo.Root}` (with the silo stopped)");

    private static IMinerGrain Grain(SiloIdentity identity, IGrainFactory grains) => grains.GetGrain<IMinerGrain>(Miner(identity).Miner);

    private static bool SameAddress(string text, string miner)
    {
        try
        {
            return Address.Parse(text) == Address.Parse(miner);
        }
        catch (FormatException)
        {
            throw new RpcException(RpcException.InvalidParams, $"'{text}' is not an address");
        }
    }

    // The grain's refusals are the caller's answer (one line), not a server fault to log with a stack trace.
    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is MinerException or SubsystemUnavailableException or TimeoutException)
        {
            throw new RpcException(RpcException.MethodError, e.Message);
        }
    }

    private static byte[] ParsePeerId(string text)
    {
        try
        {
            return PeerId.Parse(text).Multihash.ToArray();
        }
        catch (Libp2pProtocolException e)
        {
            throw new RpcException(RpcException.InvalidParams, $"'{text}' is not a peer id: {e.Message}");
        }
    }

    // Each must parse; the /p2p part is dropped, as lotus-miner does (the peer id is set separately).
    private static byte[][] ParseMultiaddrs(string[] texts)
    {
        if (texts.Length == 0)
        {
            throw new RpcException(RpcException.InvalidParams, "give at least one multiaddr");
        }

        var result = new byte[texts.Length][];
        for (var i = 0; i < texts.Length; i++)
        {
            if (!Multiaddr.TryParse(texts[i], out var multiaddr))
            {
                throw new RpcException(RpcException.InvalidParams, $"'{texts[i]}' is not a multiaddr: {ParseError(texts[i])}");
            }

            var stripped = multiaddr.Decapsulate("p2p");
            if (stripped.IsEmpty)
            {
                throw new RpcException(RpcException.InvalidParams, $"'{texts[i]}' has no address before /p2p");
            }

            result[i] = stripped.ToBytes();
        }

        return result;
    }

    private static string ParseError(string text)
    {
        try
        {
            _ = Multiaddr.Parse(text);
            return "unknown";
        }
        catch (MultiaddrFormatException e)
        {
            return e.Message;
        }
    }

    private static object Describe(MinerSnapshot snapshot)
    {
        var i = snapshot.Info;
        var info = new MinerInfo(Address.Parse(i.Owner), Address.Parse(i.Worker), i.PeerId, i.Multiaddrs, i.SectorSize,
            i.WindowPoStPartitionSectors, i.WindowPoStProofType, [.. i.ControlAddresses.Select(Address.Parse)]);
        return new
        {
            snapshot.Miner,
            Info = JsonSerializer.SerializeToElement(info, LotusJson.Options),
            i.OwnerKey,
            i.WorkerKey,
            MultiaddrText = i.Multiaddrs.Select(m => Multiaddr.TryFromBytes(m, out var a) ? a.ToString() : Convert.ToHexStringLower(m)).ToArray(),
            Power = new
            {
                RawBytePower = i.RawBytePower.ToString(),
                QualityAdjPower = i.QualityAdjPower.ToString(),
                NetworkRawBytePower = i.NetworkRawBytePower.ToString(),
                NetworkQualityAdjPower = i.NetworkQualityAdjPower.ToString(),
            },
            i.Epoch,
            i.ReadAt,
            snapshot.NextNonce,
            Pending = snapshot.Pending.Select(p => new { p.Message, Method = MinerMethods.Name(p.Method), p.Nonce, p.PushedAt }).ToArray(),
            snapshot.Silo,
        };
    }

    private static object Describe(MinerReceipt receipt) => new
    {
        receipt.Message,
        Method = MinerMethods.Name(receipt.Method),
        receipt.Nonce,
        receipt.ExitCode,
        receipt.GasUsed,
        receipt.Height,
    };
}
