using Microsoft.Extensions.Logging;

namespace Granary.Grains;

/// <summary>
/// Logs why a grain that must stay put (a deadline, a miner, a proving scheduler) is deactivating: a warning when Orleans
/// lost its grain directory registration, which the cluster's distributed directory should never let happen (see
/// <c>ProvingHosting.UseHandOverGrainDirectory</c>), debug for every other reason.
/// </summary>
internal static partial class DeactivationLog
{
    /// <summary>Logs <paramref name="reason"/> for <paramref name="grain"/> (e.g. "miner t01000 deadline 3") on <paramref name="silo"/>.</summary>
    public static void Deactivating(ILogger logger, string grain, string silo, DeactivationReason reason)
    {
        if (reason.ReasonCode == DeactivationReasonCode.DirectoryFailure)
        {
            RegistrationLost(logger, grain, silo, reason.ToString());
        }
        else
        {
            Other(logger, grain, silo, reason.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain}: deactivating on silo {Silo} because its grain directory registration was lost: {Reason}")]
    private static partial void RegistrationLost(ILogger logger, string grain, string silo, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Grain}: deactivating on silo {Silo}: {Reason}")]
    private static partial void Other(ILogger logger, string grain, string silo, string reason);
}
