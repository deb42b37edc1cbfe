using Granary.Proofs.Sdr;

namespace Granary.Proofs.Tests;

public sealed class LayerBufferTests
{
    [Theory]
    [InlineData(2048)]
    [InlineData(8 << 20)]
    public void Layer_buffers_are_zeroed_whatever_memory_they_reuse(int size)
    {
        // Dirty some memory of the same size first, so a reused block would show.
        for (var i = 0; i < 4; i++)
        {
            var dirty = LayerBuffer.Allocate(size);
            dirty.AsSpan().Fill(0xA5);
        }

        var buffer = LayerBuffer.Allocate(size);
        Assert.Equal(size, buffer.Length);
        Assert.Equal(-1, buffer.AsSpan().IndexOfAnyExcept((byte)0));
    }
}
