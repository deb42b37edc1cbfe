using Granary.Grains.Deals;

namespace Granary.Silo.Client;

/// <summary>How far <c>granary client deal</c> follows a deal before it returns.</summary>
public enum DealWait
{
    /// <summary>The provider accepted the proposal (with the built-in server, the command still serves the data until it is transferred).</summary>
    Accepted,

    /// <summary>The data is at the provider and its CommP checked.</summary>
    Transferred,

    /// <summary>The deal is on chain (<c>PublishConfirmed</c>: it has a deal id).</summary>
    Published,

    /// <summary>The piece is in a sector that is being sealed.</summary>
    Sealing,

    /// <summary>The sector is sealed and proven (<c>Proving</c>).</summary>
    Proving,
}

/// <summary>Whether a status reached a <see cref="DealWait"/> target.</summary>
public static class DealWaits
{
    /// <summary>The option values, lower case.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetNames<DealWait>().Select(n => n.ToLowerInvariant())];

    /// <summary>Parses an option value.</summary>
    public static DealWait Parse(string text) => Enum.Parse<DealWait>(text, ignoreCase: true);

    /// <summary>Whether checkpoint <paramref name="checkpoint"/> with sealing state <paramref name="sealing"/> is at or past <paramref name="target"/>.</summary>
    public static bool Reached(DealWait target, DealCheckpoint checkpoint, string sealing) => target switch
    {
        DealWait.Accepted => checkpoint >= DealCheckpoint.Accepted,
        DealWait.Transferred => checkpoint >= DealCheckpoint.Transferred,
        DealWait.Published => checkpoint >= DealCheckpoint.PublishConfirmed,
        DealWait.Sealing => checkpoint >= DealCheckpoint.AddedPiece || sealing.Length > 0,
        DealWait.Proving => sealing == "Proving",
        _ => false,
    };
}
