namespace Granary.Gateway.Transfer;

/// <summary>
/// Progress that forwards at most one value per interval to an asynchronous sink (a grain call), never two at once,
/// dropping intermediate values; <see cref="DrainAsync"/> waits for the call in flight. Sink failures are ignored:
/// progress is informational.
/// </summary>
internal sealed class ThrottledProgress(TimeSpan interval, Func<long, Task> sink) : IProgress<long>
{
    private readonly Lock _lock = new();
    private long _last = long.MinValue;
    private Task _inFlight = Task.CompletedTask;

    public void Report(long value)
    {
        lock (_lock)
        {
            var now = Environment.TickCount64;
            if (!_inFlight.IsCompleted || now - _last < interval.TotalMilliseconds)
            {
                return;
            }

            _last = now;
            _inFlight = SendAsync(value);
        }
    }

    public Task DrainAsync()
    {
        lock (_lock)
        {
            return _inFlight;
        }
    }

    private async Task SendAsync(long value)
    {
        try
        {
            await sink(value);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Informational only: the next report or the final checkpoint carries the count.
        }
    }
}
