namespace Granary.Grains.Storage;

/// <summary>
/// Small metadata files (<c>sectorstore.json</c>, <c>storage.json</c>) written so a crash leaves either the old
/// or the new file, never a torn one: a uniquely named temp file beside it, flushed to disk, then renamed over.
/// </summary>
internal static class AtomicText
{
    public static void Write(string path, ReadOnlySpan<byte> contents)
    {
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // the original error is the one to report
            }

            throw new SectorStorageException($"{path}: cannot write ({e.Message})", e);
        }
    }
}
