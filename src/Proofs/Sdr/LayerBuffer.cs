using System.Runtime.InteropServices;

namespace Granary.Proofs.Sdr;

/// <summary>
/// Memory for a sector's layer of labels. Labeling reads parents at random across the whole layer, so on
/// large sectors address translation (TLB misses on 4 KiB pages) costs as much as the hashing; on Linux the
/// buffer is pinned and advised for transparent huge pages before its pages are first touched.
/// </summary>
public static partial class LayerBuffer
{
    private const int MadviseHugePage = 14;
    private const long HugePage = 2 << 20;

    /// <summary>A zeroed buffer of <paramref name="size"/> bytes (labeling reads node 0's unset parent as zeros), on huge pages where the OS allows.</summary>
    public static byte[] Allocate(long size)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(checked((int)size), pinned: true);
        if (OperatingSystem.IsLinux() && size >= 2 * HugePage)
        {
            Advise(buffer);
        }

        // Zeroed here, after the advice, so that the first touch of each page is what maps it.
        buffer.AsSpan().Clear();
        return buffer;
    }

    private static unsafe void Advise(byte[] buffer)
    {
        fixed (byte* start = buffer)
        {
            var first = ((long)start + HugePage - 1) & ~(HugePage - 1);
            var last = ((long)start + buffer.LongLength) & ~(HugePage - 1);
            if (last > first)
            {
                // Only a hint: with THP off or unsupported it fails and the buffer works the same.
                _ = Madvise((nint)first, (nuint)(last - first), MadviseHugePage);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
