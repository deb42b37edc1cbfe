using System.Collections.Concurrent;
using Granary.Grains.Deals;

namespace Granary.Gateway.Transfer;

/// <summary>
/// This gateway's staging directory (<c>REPO/staging</c>): deal data lands here while it is transferred
/// (<c>UUID.car.part</c>, renamed to <c>UUID.car</c> when complete) until it is sealed. Back-pressure: a deal reserves
/// its transfer size before it is accepted, and a reservation is refused with a reason when the reserved total would
/// pass the limit (<c>[Dealmaking] MaxStagingBytes</c>; 0 = no limit) or the disk has no room for it.
/// Reservations live in memory: after a restart, each deal that resumes reserves again.
/// </summary>
public sealed class StagingArea : IDealStagingFiles
{
    private readonly ConcurrentDictionary<Guid, long> _reservations = new();
    private readonly Lock _lock = new();

    /// <summary>Creates the area, creating the directory if needed.</summary>
    /// <param name="directory">The staging directory.</param>
    /// <param name="maxBytes">Most bytes reserved at once; 0 for no limit other than free disk space.</param>
    public StagingArea(string directory, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        MaxBytes = maxBytes;
    }

    /// <summary>The directory.</summary>
    public string Directory { get; }

    /// <summary>The limit (0: none).</summary>
    public long MaxBytes { get; }

    /// <summary>Bytes reserved now.</summary>
    public long Reserved => _reservations.Values.Sum();

    /// <summary>Deals holding a reservation.</summary>
    public int Deals => _reservations.Count;

    /// <summary>Where a deal's data is while it arrives.</summary>
    public string PartPath(Guid deal) => Path.Combine(Directory, $"{deal:D}.car.part");

    /// <summary>Where a deal's complete data is.</summary>
    public string FilePath(Guid deal) => Path.Combine(Directory, $"{deal:D}.car");

    /// <summary>
    /// Reserves <paramref name="bytes"/> for a deal (again for the same deal: replaces its reservation). False with the
    /// reason when the limit or the disk would be exceeded.
    /// </summary>
    public bool TryReserve(Guid deal, long bytes, out string reason)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            var others = _reservations.Where(r => r.Key != deal).Sum(r => r.Value);
            if (MaxBytes > 0 && others + bytes > MaxBytes)
            {
                reason = $"staging area is full: {others} of {MaxBytes} bytes are reserved by other deals and this one needs {bytes} (MaxStagingBytes)";
                return false;
            }

            // What is already on disk for this deal (a resumed transfer) needs no new room.
            var onDisk = Length(PartPath(deal)) + Length(FilePath(deal));
            var free = new DriveInfo(Directory).AvailableFreeSpace;
            var needed = Math.Max(0, bytes - onDisk);
            if (free < others + needed)
            {
                reason = $"staging disk is full: {free} bytes free at {Directory}, other deals reserved {others} and this one needs {needed} more";
                return false;
            }

            _reservations[deal] = bytes;
            reason = "";
            return true;
        }
    }

    /// <summary>Releases a deal's reservation (its files stay).</summary>
    public void Release(Guid deal) => _reservations.TryRemove(deal, out _);

    /// <summary>Deletes a deal's staged files and releases its reservation (after sealing, or when the deal fails).</summary>
    public void Delete(Guid deal)
    {
        File.Delete(PartPath(deal));
        File.Delete(FilePath(deal));
        Release(deal);
    }

    /// <inheritdoc />
    public bool TryDelete(Guid deal, string path)
    {
        var file = FilePath(deal);
        if (!string.Equals(Path.GetFullPath(path), file, StringComparison.Ordinal) || !File.Exists(file))
        {
            return false;
        }

        Delete(deal);
        return true;
    }

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
