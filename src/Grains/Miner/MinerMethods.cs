namespace Granary.Grains.Miner;

/// <summary>Miner actor method numbers (go-state-types <c>builtin.MethodsMiner</c>) and their names for messages.</summary>
public static class MinerMethods
{
    /// <summary>ChangeWorkerAddress.</summary>
    public const ulong ChangeWorkerAddress = 3;

    /// <summary>ChangePeerID.</summary>
    public const ulong ChangePeerId = 4;

    /// <summary>WithdrawBalance.</summary>
    public const ulong WithdrawBalance = 16;

    /// <summary>ChangeMultiaddrs.</summary>
    public const ulong ChangeMultiaddrs = 18;

    /// <summary>ConfirmChangeWorkerAddress.</summary>
    public const ulong ConfirmChangeWorkerAddress = 21;

    /// <summary>ChangeOwnerAddress.</summary>
    public const ulong ChangeOwnerAddress = 23;

    /// <summary>The method's go-state-types name, or <c>method N</c>.</summary>
    public static string Name(ulong method) => method switch
    {
        0 => "Send",
        1 => "Constructor",
        2 => "ControlAddresses",
        ChangeWorkerAddress => "ChangeWorkerAddress",
        ChangePeerId => "ChangePeerID",
        5 => "SubmitWindowedPoSt",
        6 => "PreCommitSector",
        7 => "ProveCommitSector",
        8 => "ExtendSectorExpiration",
        9 => "TerminateSectors",
        10 => "DeclareFaults",
        11 => "DeclareFaultsRecovered",
        12 => "OnDeferredCronEvent",
        13 => "CheckSectorProven",
        14 => "ApplyRewards",
        15 => "ReportConsensusFault",
        WithdrawBalance => "WithdrawBalance",
        17 => "ConfirmSectorProofsValid",
        ChangeMultiaddrs => "ChangeMultiaddrs",
        19 => "CompactPartitions",
        20 => "CompactSectorNumbers",
        ConfirmChangeWorkerAddress => "ConfirmChangeWorkerAddress",
        22 => "RepayDebt",
        ChangeOwnerAddress => "ChangeOwnerAddress",
        24 => "DisputeWindowedPoSt",
        25 => "PreCommitSectorBatch",
        26 => "ProveCommitAggregate",
        27 => "ProveReplicaUpdates",
        28 => "PreCommitSectorBatch2",
        34 => "ProveCommitSectors3",
        _ => $"method {method}",
    };
}
