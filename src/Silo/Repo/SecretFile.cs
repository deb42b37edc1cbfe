namespace Granary.Silo.Repo;

/// <summary>Files that hold secrets: created with mode 0600 from the first byte, replaced atomically.</summary>
public static class SecretFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="contents"/> to <paramref name="path"/> via a 0600 temp file and a rename.</summary>
    public static void Write(string path, ReadOnlySpan<byte> contents)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(contents);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a secret file, refusing one that others can read.</summary>
    /// <exception cref="IOException">The file is readable by group or others.</exception>
    public static byte[] Read(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0)
            {
                throw new IOException($"{path} has mode {Convert.ToString((int)mode, 8)}; secrets must be 0600 (chmod 600 {path})");
            }
        }

        return File.ReadAllBytes(path);
    }
}
