using Granary.Filecoin;
using Granary.Filecoin.Pieces;
using Granary.Grains.Pieces;

namespace Granary.Gateway.Tests;

/// <summary>Piece CIDs v1/v2 as directory keys, the fast Fr32 unpadding, and reading a piece back out of an unsealed copy.</summary>
public sealed class PieceDataTests
{
    [Fact]
    public void A_v2_piece_cid_names_the_v1_piece_and_carries_its_sizes()
    {
        // FRC-0069 test cases.
        var key = PieceKey.Parse("bafkzcibcaaces3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi");
        Assert.Equal("baga6ea4seaqes3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi", key.Key);
        Assert.Equal(512, key.PieceSize);
        Assert.Equal(508, key.PayloadSize);

        var empty = PieceKey.Parse("bafkzcibcp4bdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy");
        Assert.Equal("baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy", empty.Key);
        Assert.Equal(128, empty.PieceSize);
        Assert.Equal(0, empty.PayloadSize);

        var v1 = PieceKey.Parse("baga6ea4seaqes3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi");
        Assert.Equal(v1.Key, key.Key);
        Assert.Null(v1.PieceSize);
        // Round trip through the v2 form.
        Assert.Equal("bafkzcibcaaces3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi", PieceCid.V2(key.Commitment, 508).ToString());
    }

    [Theory]
    [InlineData("bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "not a piece CID")]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "not a piece CID")]
    [InlineData("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", "not a piece CID")]
    [InlineData("not-a-cid", "multibase")]
    [InlineData("", "empty")]
    public void Other_cids_and_garbage_are_not_piece_keys(string text, string reason)
    {
        Assert.False(PieceKey.TryParse(text, out _, out var why));
        Assert.Contains(reason, why);
        Assert.Throws<FilecoinFormatException>(() => PieceKey.Parse(text));
    }

    [Fact]
    public void Fast_unpadding_equals_the_reference_and_inverts_padding()
    {
        var random = new Random(11);
        foreach (var blocks in new[] { 1, 2, 7, 64, 1000 })
        {
            var payload = new byte[blocks * Fr32.UnpaddedBlock];
            random.NextBytes(payload);
            var padded = new byte[blocks * Fr32.PaddedBlock];
            Fr32.Pad(payload, padded);
            var fast = new byte[payload.Length];
            var reference = new byte[payload.Length];
            Fr32Unpadding.Unpad(padded, fast);
            Fr32.Unpad(padded, reference);
            Assert.Equal(reference, fast);
            Assert.Equal(payload, fast);
        }

        Assert.Throws<ArgumentException>(() => Fr32Unpadding.Unpad(new byte[100], new byte[127]));
    }

    [Fact]
    public async Task Another_silos_unsealed_copy_is_read_through_range_requests_with_its_fetch_token()
    {
        var directory = Directory.CreateTempSubdirectory("granary-remote-").FullName;
        try
        {
            var unsealed = Path.Combine(directory, "s-t01000-2");
            const long Size = 4 << 20; // four 1 MiB chunks
            var filler = await Granary.Proofs.Seal.PieceWriter.AddPieceAsync(Granary.Proofs.SealProofType.Sector8MiB, unsealed, [], new MemoryStream(new byte[10]), 128);
            var payload = TransferPullerTests.RandomData(3_000_000, 4);
            var added = await Granary.Proofs.Seal.PieceWriter.AddPieceAsync(Granary.Proofs.SealProofType.Sector8MiB, unsealed, [filler.Piece], new MemoryStream(payload), Size);
            Assert.Equal(Size, added.Offset);
            var expected = new byte[PaddedPieceSize.Unpadded(Size)];
            payload.CopyTo(expected, 0);
            // As a silo's /remote endpoint serves it: the file with Range support, behind a bearer token.
            await using var server = await TransferTestServer.StartAsync(async context =>
            {
                if (context.Request.Headers.Authorization.ToString() != "Bearer fetch-token")
                {
                    context.Response.StatusCode = 401;
                    return;
                }

                await Microsoft.AspNetCore.Http.Results.File(unsealed, "application/octet-stream", enableRangeProcessing: true).ExecuteAsync(context);
            });
            using var http = new HttpClient();
            var url = server.Url("/remote/unsealed/s-t01000-2").ToString();

            await using (var stream = new UnsealedPieceStream(new RemotePaddedFile(http, url, "fetch-token", added.Offset, added.Offset + Size), added.Offset, Size))
            {
                var all = new MemoryStream();
                await stream.CopyToAsync(all);
                Assert.Equal(expected, all.ToArray());
                // Chunks start at the block holding the position. Back to the start: a new request; a jump of more than
                // 1 MiB ahead (to 2,100,000): another; less (to 4,000,000): read through; back (to 1,100,000): another.
                foreach (var at in new[] { 5L, 127L * 1000, 2_100_000, 4_000_000, 1_100_000 })
                {
                    stream.Position = at;
                    var buffer = new byte[(int)Math.Min(3000, expected.Length - at)];
                    await stream.ReadExactlyAsync(buffer);
                    Assert.True(expected.AsSpan((int)at, buffer.Length).SequenceEqual(buffer), $"at {at}");
                }
            }

            // Every request asked for a range from a block of the piece to the piece's end, never outside it.
            Assert.Equal(
                [$"bytes={Size}-{(2 * Size) - 1}", $"bytes={Size}-{(2 * Size) - 1}", $"bytes={Size + (2_100_000 / 127 * 128)}-{(2 * Size) - 1}",
                    $"bytes={Size + (1_100_000 / 127 * 128)}-{(2 * Size) - 1}"],
                server.Requests.Select(r => r.Headers["Range"]));

            await using var refused = new UnsealedPieceStream(new RemotePaddedFile(http, url, "wrong", 0, Size), 0, Size);
            var error = await Assert.ThrowsAsync<IOException>(() => refused.ReadAsync(new byte[10]).AsTask());
            Assert.Contains("answered 401", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_unsealed_copy_reads_back_as_the_payload_then_zeros_at_any_position()
    {
        var directory = Directory.CreateTempSubdirectory("granary-unsealed-").FullName;
        try
        {
            var unsealed = Path.Combine(directory, "s-t01000-1");
            var type = Granary.Proofs.SealProofType.Sector8MiB;
            // A first piece, so the second sits at a non-zero offset.
            var first = await Granary.Proofs.Seal.PieceWriter.AddPieceAsync(type, unsealed, [], new MemoryStream(new byte[1000]), 1024);
            var payload = TransferPullerTests.RandomData(700_000, 3);
            var second = await Granary.Proofs.Seal.PieceWriter.AddPieceAsync(type, unsealed, [first.Piece], new MemoryStream(payload), 1 << 20);
            Assert.Equal(1 << 20, second.Offset);
            var expected = new byte[PaddedPieceSize.Unpadded(1 << 20)];
            payload.CopyTo(expected, 0);

            await using var stream = new UnsealedPieceStream(new LocalPaddedFile(unsealed), second.Offset, 1 << 20);
            Assert.Equal(expected.Length, stream.Length);
            var all = new MemoryStream();
            await stream.CopyToAsync(all);
            Assert.Equal(expected, all.ToArray());

            var random = new Random(5);
            for (var i = 0; i < 200; i++)
            {
                var at = random.NextInt64(expected.Length);
                var length = (int)Math.Min(random.Next(1, 300_000), expected.Length - at);
                var buffer = new byte[length];
                stream.Position = at;
                await stream.ReadExactlyAsync(buffer);
                Assert.True(expected.AsSpan((int)at, length).SequenceEqual(buffer), $"{length} bytes at {at}");
            }

            stream.Position = expected.Length;
            Assert.Equal(0, await stream.ReadAsync(new byte[10]));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
