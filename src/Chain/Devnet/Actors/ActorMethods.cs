namespace Granary.Chain.Devnet.Actors;

/// <summary>Method numbers (go-state-types builtin/methods.go) and the exit code for a method an actor lacks.</summary>
public static class ActorMethods
{
    /// <summary>A plain value transfer, accepted by every actor.</summary>
    public const ulong Send = 0;

    /// <summary>Filecoin's <c>ErrUnhandledMessage</c>: the actor has no such method.</summary>
    public const ExitCode UnhandledMessage = ExitCode.ErrUnhandledMessage;

    /// <summary>Power actor.</summary>
    public static class Power
    {
        /// <summary>CreateMiner.</summary>
        public const ulong CreateMiner = 2;
    }

    /// <summary>Market actor.</summary>
    public static class Market
    {
        /// <summary>AddBalance.</summary>
        public const ulong AddBalance = 2;

        /// <summary>WithdrawBalance.</summary>
        public const ulong WithdrawBalance = 3;

        /// <summary>PublishStorageDeals.</summary>
        public const ulong PublishStorageDeals = 4;
    }

    /// <summary>Miner actor.</summary>
    public static class Miner
    {
        /// <summary>ChangeWorkerAddress.</summary>
        public const ulong ChangeWorkerAddress = 3;

        /// <summary>ChangePeerID.</summary>
        public const ulong ChangePeerId = 4;

        /// <summary>SubmitWindowedPoSt.</summary>
        public const ulong SubmitWindowedPoSt = 5;

        /// <summary>ProveCommitSector.</summary>
        public const ulong ProveCommitSector = 7;

        /// <summary>DeclareFaults.</summary>
        public const ulong DeclareFaults = 10;

        /// <summary>DeclareFaultsRecovered.</summary>
        public const ulong DeclareFaultsRecovered = 11;

        /// <summary>WithdrawBalance.</summary>
        public const ulong WithdrawBalance = 16;

        /// <summary>ChangeMultiaddrs.</summary>
        public const ulong ChangeMultiaddrs = 18;

        /// <summary>PreCommitSectorBatch.</summary>
        public const ulong PreCommitSectorBatch = 25;

        /// <summary>PreCommitSectorBatch2.</summary>
        public const ulong PreCommitSectorBatch2 = 28;

        /// <summary>ProveCommitSectors3.</summary>
        public const ulong ProveCommitSectors3 = 34;
    }
}
