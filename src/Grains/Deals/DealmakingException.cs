namespace Granary.Grains.Deals;

/// <summary>
/// A dealmaking grain could not do what was asked (an ask that is not valid, no worker key to sign the ask with,
/// the chain unreachable). The message says which; refusals of proposals are answers, not exceptions.
/// </summary>
[GenerateSerializer, Alias("granary.DealmakingException")]
public class DealmakingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DealmakingException(string message) : base(message)
    {
    }
}
