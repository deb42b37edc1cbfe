using Granary.Filecoin.Addresses;

namespace Granary.Chain.Devnet.Mining;

// ChangePeerID (4), ChangeMultiaddrs (18), ChangeWorkerAddress (3). The caller checks the sender: owner, worker
// or a control address for peer info; the owner for the worker.
public sealed partial class MinerState
{
    /// <summary>Sets the markets node's peer id.</summary>
    /// <exception cref="ActorException">16: longer than <see cref="MaxPeerIdLength"/> bytes.</exception>
    public void ChangePeerId(byte[] peerId)
    {
        CheckPeerInfo(peerId, []);
        Info.PeerId = [.. peerId];
    }

    /// <summary>Replaces the multiaddrs clients dial.</summary>
    /// <exception cref="ActorException">16: an empty multiaddr, or more than <see cref="MaxMultiaddrData"/> bytes in all.</exception>
    public void ChangeMultiaddrs(IReadOnlyList<byte[]> multiaddrs)
    {
        CheckPeerInfo(null, multiaddrs);
        Info.Multiaddrs = [.. multiaddrs.Select(m => m.ToArray())];
    }

    /// <summary>Sets the worker and the control addresses (the devnet applies a new worker at once).</summary>
    /// <exception cref="ActorException">16: not id addresses, or more than <see cref="MaxControlAddresses"/> control addresses.</exception>
    public void ChangeWorker(Address worker, IReadOnlyList<Address> controlAddresses)
    {
        CheckWorkerAndControl(worker, controlAddresses);
        Info.WorkerId = worker.Id;
        Info.ControlIds = [.. controlAddresses.Select(a => a.Id)];
    }

    private static void CheckWorkerAndControl(Address worker, IReadOnlyList<Address> controlAddresses)
    {
        RequireIdAddress(worker, "worker");
        if (controlAddresses.Count > MaxControlAddresses)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"control addresses length {controlAddresses.Count} exceeds max control addresses length {MaxControlAddresses}");
        }

        foreach (var control in controlAddresses)
        {
            RequireIdAddress(control, "control address");
        }
    }

    private static void RequireIdAddress(Address address, string role)
    {
        if (address.Protocol != AddressProtocol.Id)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"{role} {address} must be an id address (resolve it first)");
        }
    }

    private static void CheckPeerInfo(byte[]? peerId, IReadOnlyList<byte[]> multiaddrs)
    {
        if (peerId is { Length: > MaxPeerIdLength })
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"peer ID size of {peerId.Length} exceeds maximum size of {MaxPeerIdLength}");
        }

        var total = 0;
        foreach (var multiaddr in multiaddrs)
        {
            if (multiaddr.Length == 0)
            {
                throw new ActorException(ExitCode.ErrIllegalArgument, "invalid empty multiaddr");
            }

            total += multiaddr.Length;
            if (total > MaxMultiaddrData)
            {
                throw new ActorException(ExitCode.ErrIllegalArgument, $"multiaddr size of at least {total} exceeds maximum of {MaxMultiaddrData}");
            }
        }
    }
}
