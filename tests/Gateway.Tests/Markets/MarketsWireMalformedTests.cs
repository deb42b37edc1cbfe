using System.Formats.Cbor;
using Granary.Gateway.Wire;
using static Granary.Gateway.Tests.Markets.MarketsSamples;

namespace Granary.Gateway.Tests.Markets;

/// <summary>
/// Refusals of the markets wire layer: the stream reader (truncated, oversized, indefinite, reserved headers, slow and
/// silent peers) and the message readers (wrong shapes, duplicates, missing fields, bad values), each a typed
/// <see cref="MarketsWireException"/>; and random mutations that never escape as any other exception.
/// </summary>
public sealed class MarketsWireMalformedTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_stream_reader_takes_exactly_one_object_even_a_byte_at_a_time_and_leaves_what_follows()
    {
        var message = Params().ToCbor();
        var read = await CborItemReader.ReadAsync(new TrickleStream([.. message, 0xa0, 0xff]), DealParams.MaxMessageBytes, Deadline());
        Assert.Equal(message, read);
        Assert.Equal(message, await CborItemReader.ReadAsync(new MemoryStream(message), message.Length, Deadline()));
    }

    [Fact]
    public async Task A_stream_that_ends_early_is_truncated_at_every_length()
    {
        var message = Params().ToCbor();
        for (var length = 0; length < message.Length; length++)
        {
            var e = await Assert.ThrowsAsync<MarketsWireException>(() => CborItemReader.ReadAsync(new MemoryStream(message[..length]), DealParams.MaxMessageBytes, Deadline()));
            Assert.Equal(MarketsWireError.Truncated, e.Error);
        }
    }

    [Fact]
    public async Task Oversized_messages_and_lengths_are_refused_before_they_are_buffered()
    {
        var message = Params().ToCbor();
        var small = await Assert.ThrowsAsync<MarketsWireException>(() => CborItemReader.ReadAsync(new MemoryStream(message), message.Length - 1, Deadline()));
        Assert.Equal(MarketsWireError.Oversized, small.Error);

        // A byte string claiming 2^40 bytes, and a map claiming 2^32 entries: refused from the header alone.
        byte[] hugeString = [0xa1, 0x64, .. "Size"u8, 0x5b, 0, 0, 1, 0, 0, 0, 0, 0];
        byte[] hugeMap = [0xbb, 0, 0, 0, 1, 0, 0, 0, 0];
        foreach (var bytes in new[] { hugeString, hugeMap })
        {
            var e = await Assert.ThrowsAsync<MarketsWireException>(() => CborItemReader.ReadAsync(new MemoryStream(bytes), DealParams.MaxMessageBytes, Deadline()));
            Assert.Equal(MarketsWireError.Oversized, e.Error);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0xbf, 0x61, 0x61, 0x01, 0xff }, "indefinite")]
    [InlineData(new byte[] { 0x5f, 0x41, 0x00, 0xff }, "indefinite")]
    [InlineData(new byte[] { 0xa1, 0x1c }, "reserved")]
    [InlineData(new byte[] { 0xff }, "indefinite")]
    public async Task Indefinite_lengths_and_reserved_headers_are_malformed(byte[] bytes, string reason)
    {
        var e = await Assert.ThrowsAsync<MarketsWireException>(() => CborItemReader.ReadAsync(new MemoryStream(bytes), 1024, Deadline()));
        Assert.Equal(MarketsWireError.Malformed, e.Error);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public async Task A_silent_peer_is_cut_off_by_the_callers_deadline()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CborItemReader.ReadAsync(new SilentStream(), 1024, deadline.Token).WaitAsync(Guard));
    }

    [Fact]
    public void Wrong_shapes_missing_fields_and_bad_values_are_malformed_with_the_field_named()
    {
        var good = Params();
        (byte[] Bytes, string Reason)[] cases =
        [
            ([0x80], "must be a CBOR map"),
            (Map(w => { w.WriteTextString("DealUUID"); w.WriteByteString(new byte[15]); }), "a UUID is 16 bytes"),
            (Map(w => { w.WriteTextString("DealUUID"); w.WriteInt32(7); }), "DealParams.DealUUID"),
            (Replace(good, "IsOffline", w => w.WriteInt32(1)), "DealParams.IsOffline"),
            (Replace(good, "DealDataRoot", w => w.WriteByteString([1, 2, 3])), "DealParams.DealDataRoot"),
            (Replace(good, "ClientDealProposal", w => { w.WriteStartArray(2); w.WriteStartArray(0); w.WriteEndArray(); w.WriteByteString([1]); w.WriteEndArray(); }), "11-tuple"),
            (Replace(good, "Transfer", w => { w.WriteStartMap(1); w.WriteTextString("Type"); w.WriteTextString(new string('x', 9000)); w.WriteEndMap(); }), "longer than 8192"),
            (Without(good, "DealUUID"), "has no DealUUID"),
            (Without(good, "ClientDealProposal"), "has no ClientDealProposal"),
            ([.. good.ToCbor(), 0x00], "follow the DealParams"),
            (Map(w => { w.WriteInt32(1); w.WriteInt32(2); }), "keys are field names"),
        ];
        foreach (var (bytes, reason) in cases)
        {
            var e = Assert.Throws<MarketsWireException>(() => DealParams.FromCbor(bytes));
            Assert.Contains(reason, e.Message);
        }

        // A duplicate key is refused (the strict reader), whatever the value.
        var duplicate = Raw(w =>
        {
            w.WriteStartMap(2);
            w.WriteTextString("DealUUID");
            w.WriteByteString(new byte[16]);
            w.WriteTextString("DealUUID");
            w.WriteByteString(new byte[16]);
            w.WriteEndMap();
        });
        Assert.Equal(MarketsWireError.Malformed, Assert.Throws<MarketsWireException>(() => DealParams.FromCbor(duplicate)).Error);
    }

    [Fact]
    public void A_label_over_256_bytes_is_refused_with_Boosts_words_and_unknown_keys_and_other_orders_are_read()
    {
        var labelled = Replace(Params(), "ClientDealProposal", w => w.WriteEncodedValue(LongLabel(300)));
        var e = Assert.Throws<MarketsWireException>(() => DealParams.FromCbor(labelled));
        Assert.Equal("deal label can be at most 256 bytes, is 300", e.Message);

        // cbor-gen's readers take the keys in any order and skip keys they do not know; so do ours.
        var good = Params();
        var shuffled = Raw(w =>
        {
            var fields = Fields(good.ToCbor()).Reverse().Append(("FutureField", new byte[] { 0x83, 1, 2, 3 })).ToList();
            w.WriteStartMap(fields.Count);
            foreach (var (key, value) in fields)
            {
                w.WriteTextString(key);
                w.WriteEncodedValue(value);
            }

            w.WriteEndMap();
        });
        Assert.Equal(Hex(good.ToCbor()), Hex(DealParams.FromCbor(shuffled).ToCbor()));
    }

    [Fact]
    public void Random_mutations_either_read_or_fail_as_wire_errors()
    {
        var random = new Random(8);
        byte[][] messages = [Params().ToCbor(), Params(offline: true).ToCbor()];
        var failures = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])messages[i % 2].Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            try
            {
                _ = DealParams.FromCbor(bytes);
            }
            catch (MarketsWireException)
            {
                failures++;
            }
        }

        // Mutations of the signature, the transfer params or a CID's digest still read; the rest fail as wire errors.
        Assert.InRange(failures, 1, 2999);
    }

    private static CancellationToken Deadline() => new CancellationTokenSource(Guard).Token;

    private static byte[] Raw(Action<CborWriter> write)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        write(w);
        return w.Encode();
    }

    private static byte[] Map(Action<CborWriter> entry) => Raw(w =>
    {
        w.WriteStartMap(1);
        entry(w);
        w.WriteEndMap();
    });

    // The top-level entries of a map, as encoded values.
    private static IEnumerable<(string Key, byte[] Value)> Fields(byte[] map)
    {
        var r = new CborReader(map);
        var count = r.ReadStartMap()!.Value;
        var fields = new List<(string, byte[])>();
        for (var i = 0; i < count; i++)
        {
            fields.Add((r.ReadTextString(), r.ReadEncodedValue().ToArray()));
        }

        return fields;
    }

    private static byte[] Replace(DealParams deal, string key, Action<CborWriter> value) => Raw(w =>
    {
        var fields = Fields(deal.ToCbor()).ToList();
        w.WriteStartMap(fields.Count);
        foreach (var (k, v) in fields)
        {
            w.WriteTextString(k);
            if (k == key)
            {
                value(w);
            }
            else
            {
                w.WriteEncodedValue(v);
            }
        }

        w.WriteEndMap();
    });

    private static byte[] Without(DealParams deal, string key) => Raw(w =>
    {
        var fields = Fields(deal.ToCbor()).Where(f => f.Key != key).ToList();
        w.WriteStartMap(fields.Count);
        foreach (var (k, v) in fields)
        {
            w.WriteTextString(k);
            w.WriteEncodedValue(v);
        }

        w.WriteEndMap();
    });

    // A signed proposal whose label is longer than the market actor allows, written by hand (DealLabel refuses to make one).
    private static byte[] LongLabel(int length)
    {
        var proposal = Proposal().ToCbor();
        var r = new CborReader(proposal);
        r.ReadStartArray();
        var head = new List<byte[]>();
        for (var i = 0; i < 5; i++)
        {
            head.Add(r.ReadEncodedValue().ToArray());
        }

        r.ReadTextString();
        var tail = new List<byte[]>();
        for (var i = 0; i < 5; i++)
        {
            tail.Add(r.ReadEncodedValue().ToArray());
        }

        return Raw(w =>
        {
            w.WriteStartArray(2);
            w.WriteStartArray(11);
            head.ForEach(v => w.WriteEncodedValue(v));
            w.WriteTextString(new string('L', length));
            tail.ForEach(v => w.WriteEncodedValue(v));
            w.WriteEndArray();
            w.WriteByteString(new byte[66]);
            w.WriteEndArray();
        });
    }

    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }

    private sealed class SilentStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
