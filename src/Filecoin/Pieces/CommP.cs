using Granary.Filecoin.Hashing;

namespace Granary.Filecoin.Pieces;

/// <summary>
/// Piece commitment (CommP) of a stream of any size up to 64 GiB with bounded memory: the payload is read
/// in chunks of 127·2^16 bytes, Fr32-padded, each chunk's 8 MiB subtree hashed (chunks in parallel on all
/// cores), and the subtree roots merged on a stack of at most one root per level. The tail is completed
/// with zero-piece commitments rather than hashing zeros.
/// </summary>
public static class CommP
{
    /// <summary>Payload bytes per chunk (8 MiB padded).</summary>
    public const int ChunkPayload = Fr32.UnpaddedBlock << 16;

    /// <summary>The commitment and sizes of a piece.</summary>
    public sealed record Result(byte[] Commitment, long PayloadSize, long PaddedSize)
    {
        /// <summary>Piece CID v1.</summary>
        public Cids.Cid CidV1 => PieceCid.V1(Commitment);

        /// <summary>Piece CID v2 (FRC-0069).</summary>
        public Cids.Cid CidV2 => PieceCid.V2(Commitment, PayloadSize);
    }

    /// <summary>Computes the CommP of everything <paramref name="payload"/> yields.</summary>
    /// <param name="threads">Chunks hashed at once (default: every core).</param>
    /// <param name="progress">Payload bytes read so far.</param>
    /// <param name="padded">Receives the Fr32-padded piece data, chunk by chunk in order, before it is hashed
    /// (AddPiece writes it to the unsealed sector this way, in the same pass).</param>
    public static async Task<Result> ComputeAsync(Stream payload, int? threads = null, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default, Func<ReadOnlyMemory<byte>, Task>? padded = null)
    {
        var workers = Math.Max(1, threads ?? Environment.ProcessorCount);
        var raw = Enumerable.Range(0, workers).Select(_ => new byte[ChunkPayload]).ToArray();
        var trees = Enumerable.Range(0, workers).Select(_ => new byte[ChunkPayload / Fr32.UnpaddedBlock * Fr32.PaddedBlock]).ToArray();
        var lengths = new int[workers];
        var roots = new byte[workers][];
        var stack = new Stack<(int Level, byte[] Root)>();
        long total = 0;
        var ended = false;
        while (!ended)
        {
            var batch = 0;
            for (; batch < workers; batch++)
            {
                lengths[batch] = await payload.ReadAtLeastAsync(raw[batch], ChunkPayload, throwOnEndOfStream: false, cancellationToken);
                total += lengths[batch];
                if (lengths[batch] < ChunkPayload)
                {
                    ended = true;
                    batch += lengths[batch] > 0 || total == 0 ? 1 : 0;
                    break;
                }
            }

            if (total > PaddedPieceSize.Unpadded(PaddedPieceSize.Max))
            {
                throw new InvalidDataException("payload is larger than a 64 GiB piece holds");
            }

            // The caller's scheduler: on a sealing worker that keeps the chunks on its threads, off the pool Orleans runs on.
            var options = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken, TaskScheduler = TaskScheduler.Current };
            Parallel.For(0, batch, options, i => PadChunk(raw[i], lengths[i], trees[i]));
            for (var i = 0; padded is not null && i < batch; i++)
            {
                await padded(trees[i].AsMemory(0, (int)ChunkPaddedSize(lengths[i])));
            }

            Parallel.For(0, batch, options, i => roots[i] = HashChunk(trees[i], lengths[i]));
            for (var i = 0; i < batch; i++)
            {
                var level = PaddedPieceSize.Height(ChunkPaddedSize(lengths[i]));
                Push(stack, level, roots[i]);
            }

            progress?.Report(total);
        }

        var size = PaddedPieceSize.ForPayload(total);
        return new Result(Finish(stack, PaddedPieceSize.Height(size)), total, size);
    }

    /// <summary>Computes the CommP of an in-memory payload.</summary>
    public static Result Compute(ReadOnlySpan<byte> payload)
    {
        using var stream = new MemoryStream(payload.ToArray(), writable: false);
        return ComputeAsync(stream, threads: 1).GetAwaiter().GetResult();
    }

    /// <summary>Combines a subtree root with stack roots; the stack keeps at most one root per level.</summary>
    private static void Push(Stack<(int Level, byte[] Root)> stack, int level, byte[] root)
    {
        while (stack.Count > 0 && stack.Peek().Level == level)
        {
            var left = stack.Pop().Root;
            var parent = new byte[32];
            Sha254.HashPair(left, root, parent);
            root = parent;
            level++;
        }

        stack.Push((level, root));
    }

    // Everything after the payload is zeros: each remaining right sibling is a zero subtree.
    private static byte[] Finish(Stack<(int Level, byte[] Root)> stack, int height)
    {
        if (stack.Count == 0)
        {
            return ZeroPieces.AtLevel(height).ToArray();
        }

        while (stack.Count > 1 || stack.Peek().Level < height)
        {
            var (level, root) = stack.Pop();
            var parent = new byte[32];
            Sha254.HashPair(root, ZeroPieces.AtLevel(level), parent);
            Push(stack, level + 1, parent);
        }

        return stack.Peek().Root;
    }

    // The smallest power-of-two subtree holding this chunk's payload (a full chunk is 8 MiB padded).
    private static long ChunkPaddedSize(int length) => PaddedPieceSize.ForPayload(Math.Max(length, 1));

    private static void PadChunk(byte[] raw, int length, byte[] tree)
    {
        var unpadded = (int)PaddedPieceSize.Unpadded(ChunkPaddedSize(length));
        raw.AsSpan(length, unpadded - length).Clear();
        Fr32.Pad(raw.AsSpan(0, unpadded), tree);
    }

    // Hashes a padded chunk's subtree in place: each row's parents overwrite the first half of the row.
    private static byte[] HashChunk(byte[] padded, int length)
    {
        var tree = padded.AsSpan(0, (int)ChunkPaddedSize(length));
        for (var width = tree.Length; width > 32; width /= 2)
        {
            Sha254.HashRow(tree[..width], tree[..(width / 2)]);
        }

        return tree[..32].ToArray();
    }

    /// <summary>
    /// The commitment of a piece of <paramref name="toSize"/> whose first <paramref name="fromSize"/> bytes
    /// have commitment <paramref name="commitment"/> and the rest are zeros (a deal's piece larger than its data).
    /// </summary>
    public static byte[] ZeroPad(ReadOnlySpan<byte> commitment, long fromSize, long toSize)
    {
        if (!PaddedPieceSize.IsValid(fromSize) || !PaddedPieceSize.IsValid(toSize) || toSize < fromSize)
        {
            throw new ArgumentException($"cannot pad a {fromSize}-byte piece to {toSize} bytes");
        }

        var root = commitment.ToArray();
        for (var level = PaddedPieceSize.Height(fromSize); level < PaddedPieceSize.Height(toSize); level++)
        {
            var parent = new byte[32];
            Sha254.HashPair(root, ZeroPieces.AtLevel(level), parent);
            root = parent;
        }

        return root;
    }
}
