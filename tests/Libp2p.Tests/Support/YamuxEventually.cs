using System.Diagnostics;

namespace Granary.Libp2p.Tests.Support;

/// <summary>Waits for a condition another task makes true (polling, with a deadline as the failure guard).</summary>
public static class YamuxEventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"condition still false after {timeout}");
            }

            await Task.Delay(2);
        }
    }
}
