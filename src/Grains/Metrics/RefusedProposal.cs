namespace Granary.Grains.Metrics;

/// <summary>A proposal the deal handler refused.</summary>
/// <param name="At">When.</param>
/// <param name="Reason">Its reason label.</param>
/// <param name="Message">The message sent to the client.</param>
public sealed record RefusedProposal(DateTimeOffset At, string Reason, string Message);
