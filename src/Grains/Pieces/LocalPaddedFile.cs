using Microsoft.Win32.SafeHandles;

namespace Granary.Grains.Pieces;

/// <summary>An unsealed sector file on this machine, read with positional reads (no shared file position).</summary>
public sealed class LocalPaddedFile : IPaddedSource
{
    private readonly SafeFileHandle _handle;

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    public LocalPaddedFile(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        Description = path;
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        RandomAccess.ReadAsync(_handle, buffer, offset, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _handle.Dispose();
        return ValueTask.CompletedTask;
    }
}
