using System.Security.Cryptography;
using Granary.Filecoin;
using Granary.Filecoin.Car;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Gateway.Retrieval;

namespace Granary.Silo.Client;

/// <summary>What <see cref="CarCheck.VerifyAsync"/> found.</summary>
/// <param name="Blocks">Blocks in the CAR.</param>
/// <param name="Bytes">Bytes of block data.</param>
public sealed record CarCheckResult(int Blocks, long Bytes);

/// <summary>
/// Checks a retrieved CAR as a trustless client must: the header names the requested root, every block's data hashes to
/// its CID (sha2-256, blake2b-256 or identity multihashes), the first block is the root and every other block is linked
/// from an earlier one (so the CAR is the root's DAG and nothing else); and turns a UnixFS file DAG back into the file
/// (<see cref="ExtractAsync"/>).
/// </summary>
public static class CarCheck
{
    /// <summary>Most block bytes <see cref="ExtractAsync"/> holds (it keeps the DAG in memory).</summary>
    public const long MaxExtractBytes = 2L << 30;

    /// <summary>Verifies the CAR in <paramref name="car"/> against <paramref name="root"/>.</summary>
    /// <exception cref="FilecoinFormatException">Not a CAR, a block whose data does not match its CID, a wrong root, or an unlinked block.</exception>
    public static async Task<CarCheckResult> VerifyAsync(Stream car, Cid root, CancellationToken cancellationToken = default)
    {
        var count = 0;
        long bytes = 0;
        await foreach (var block in BlocksAsync(car, root, cancellationToken))
        {
            count++;
            bytes += block.Data.Length;
        }

        return new CarCheckResult(count, bytes);
    }

    /// <summary>
    /// Verifies the CAR as <see cref="VerifyAsync"/> does and writes the UnixFS file under <paramref name="root"/> to
    /// <paramref name="output"/>: raw blocks are file bytes, dag-pb nodes their UnixFS data followed by their links' content.
    /// </summary>
    /// <exception cref="FilecoinFormatException">As <see cref="VerifyAsync"/>, or the DAG is not a UnixFS file, or a block is missing.</exception>
    public static async Task<long> ExtractAsync(Stream car, Cid root, Stream output, CancellationToken cancellationToken = default)
    {
        var blocks = new Dictionary<Cid, ReadOnlyMemory<byte>>();
        long held = 0;
        await foreach (var block in BlocksAsync(car, root, cancellationToken))
        {
            held += block.Data.Length;
            if (held > MaxExtractBytes)
            {
                throw new FilecoinFormatException($"the CAR holds more than {MaxExtractBytes} bytes; extract it with a streaming UnixFS tool");
            }

            blocks.TryAdd(block.Cid, block.Data);
        }

        long written = 0;
        var stack = new Stack<Cid>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var cid = stack.Pop();
            if (cid.Hash.Code == Multihash.Identity)
            {
                await output.WriteAsync(cid.Hash.Digest, cancellationToken);
                written += cid.Hash.Digest.Length;
                continue;
            }

            if (!blocks.TryGetValue(cid, out var data))
            {
                throw new FilecoinFormatException($"block {cid} of the file is not in the CAR");
            }

            switch (cid.Codec)
            {
                case Cid.Raw:
                    await output.WriteAsync(data, cancellationToken);
                    written += data.Length;
                    break;
                case Cid.DagPb:
                    var (links, fileData) = UnixFsNode(data.Span, cid);
                    await output.WriteAsync(fileData, cancellationToken);
                    written += fileData.Length;
                    for (var i = links.Count - 1; i >= 0; i--)
                    {
                        stack.Push(links[i]);
                    }

                    break;
                default:
                    throw new FilecoinFormatException($"block {cid} has codec 0x{cid.Codec:x}; a UnixFS file has only dag-pb and raw blocks");
            }
        }

        await output.FlushAsync(cancellationToken);
        return written;
    }

    // Every block, checked: hash, root first, each later block linked from an earlier one.
    private static async IAsyncEnumerable<CarBlock> BlocksAsync(Stream car, Cid root,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = await CarReader.OpenAsync(car, CarLimits.Default, cancellationToken);
        if (!reader.Roots.Contains(root))
        {
            throw new FilecoinFormatException($"the CAR's roots are {string.Join(", ", reader.Roots)}, not {root}");
        }

        var linked = new HashSet<Cid> { root };
        var first = true;
        await foreach (var block in reader.ReadBlocksAsync(cancellationToken))
        {
            if (first && block.Cid != root)
            {
                throw new FilecoinFormatException($"the CAR's first block is {block.Cid}, not the root {root}");
            }

            first = false;
            if (!linked.Contains(block.Cid))
            {
                throw new FilecoinFormatException($"block {block.Cid} is not linked from any earlier block of the CAR");
            }

            CheckHash(block);
            foreach (var link in DagLinks.Of(block.Cid.Codec, block.Data))
            {
                linked.Add(link);
            }

            yield return block;
        }

        if (first)
        {
            throw new FilecoinFormatException($"the CAR has no blocks (expected at least the root {root})");
        }
    }

    private static void CheckHash(CarBlock block)
    {
        var hash = block.Cid.Hash;
        var data = block.Data.Span;
        byte[] digest = hash.Code switch
        {
            Multihash.Sha2_256 => SHA256.HashData(data),
            Multihash.Blake2b256 => Blake2b.Hash256(data),
            Multihash.Identity => data.ToArray(),
            _ => throw new FilecoinFormatException($"block {block.Cid} uses multihash 0x{hash.Code:x}, which this client cannot verify"),
        };
        if (!digest.AsSpan().SequenceEqual(hash.Digest))
        {
            throw new FilecoinFormatException($"block {block.Cid}: its data does not hash to its CID");
        }
    }

    // PBNode { 2: Links [{1: Hash}], 1: Data (UnixFS Data { 1: Type, 2: Data }) } → (links, the node's file bytes).
    private static (List<Cid> Links, byte[] Data) UnixFsNode(ReadOnlySpan<byte> node, Cid cid)
    {
        var links = DagLinks.Of(Cid.DagPb, node.ToArray()).ToList();
        var unixfs = Field(node, 1);
        if (unixfs is null)
        {
            throw new FilecoinFormatException($"dag-pb block {cid} has no UnixFS data");
        }

        var type = Varint(unixfs, 1);
        if (type is not (0 or 2))
        {
            throw new FilecoinFormatException($"dag-pb block {cid} is UnixFS type {type}, not a file (2) or raw (0) node");
        }

        return (links, Field(unixfs, 2) ?? []);
    }

    // The last length-delimited value of protobuf field N, or null.
    private static byte[]? Field(ReadOnlySpan<byte> message, ulong field)
    {
        byte[]? found = null;
        var at = 0;
        while (at < message.Length)
        {
            var key = Filecoin.Encoding.Varint.Read(message[at..], out var n);
            at += n;
            switch (key & 7)
            {
                case 0:
                    Filecoin.Encoding.Varint.Read(message[at..], out n);
                    at += n;
                    break;
                case 2:
                    var length = Filecoin.Encoding.Varint.Read(message[at..], out n);
                    at += n;
                    if (length > (ulong)(message.Length - at))
                    {
                        throw new FilecoinFormatException("protobuf field runs past the end of the block");
                    }

                    if (key >> 3 == field)
                    {
                        found = message.Slice(at, (int)length).ToArray();
                    }

                    at += (int)length;
                    break;
                default:
                    throw new FilecoinFormatException($"protobuf wire type {key & 7} is not used by UnixFS");
            }
        }

        return found;
    }

    // The varint value of protobuf field N, or null.
    private static ulong? Varint(ReadOnlySpan<byte> message, ulong field)
    {
        ulong? found = null;
        var at = 0;
        while (at < message.Length)
        {
            var key = Filecoin.Encoding.Varint.Read(message[at..], out var n);
            at += n;
            if ((key & 7) == 0)
            {
                var value = Filecoin.Encoding.Varint.Read(message[at..], out n);
                at += n;
                if (key >> 3 == field)
                {
                    found = value;
                }
            }
            else if ((key & 7) == 2)
            {
                var length = Filecoin.Encoding.Varint.Read(message[at..], out n);
                at += n;
                if (length > (ulong)(message.Length - at))
                {
                    throw new FilecoinFormatException("protobuf field runs past the end of the block");
                }

                at += (int)length;
            }
            else
            {
                throw new FilecoinFormatException($"protobuf wire type {key & 7} is not used by UnixFS");
            }
        }

        return found;
    }
}
