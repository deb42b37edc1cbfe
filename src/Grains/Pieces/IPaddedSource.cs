namespace Granary.Grains.Pieces;

/// <summary>Random-access reads of a Fr32-padded file (an unsealed sector copy), on this machine or another silo's.</summary>
public interface IPaddedSource : IAsyncDisposable
{
    /// <summary>Where the bytes come from, for messages.</summary>
    string Description { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; 0 at the end of the file.</summary>
    ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken);
}
