using System.Formats.Cbor;
using Granary.Filecoin;

namespace Granary.Gateway.Wire;

/// <summary>
/// A cbor-gen map-encoded struct being read: its entries by key (text keys, each at most once), each value kept as
/// its encoded bytes until a field reader takes it. Keys may come in any order and unknown keys are skipped, as
/// cbor-gen's generated readers do; a missing field is either required (malformed) or given its Go zero value.
/// </summary>
public sealed class WireMap
{
    /// <summary>Longest key accepted (Go field names are short).</summary>
    public const int MaxKeyBytes = 64;

    /// <summary>Most entries accepted in one map.</summary>
    public const int MaxEntries = 64;

    private readonly Dictionary<string, ReadOnlyMemory<byte>> _entries;
    private readonly string _what;

    private WireMap(string what, Dictionary<string, ReadOnlyMemory<byte>> entries)
    {
        _what = what;
        _entries = entries;
    }

    /// <summary>Reads the map that <paramref name="reader"/> is positioned at.</summary>
    /// <exception cref="MarketsWireException">Not a map of text keys, a duplicate key, too many entries.</exception>
    public static WireMap Read(CborReader reader, string what) => WireCbor.Guard(what, () =>
    {
        if (reader.PeekState() != CborReaderState.StartMap)
        {
            throw new MarketsWireException(MarketsWireError.Malformed, $"{what} must be a CBOR map, found {Describe(reader.PeekState())}");
        }

        var count = reader.ReadStartMap() ?? throw new MarketsWireException(MarketsWireError.Malformed, $"{what} is an indefinite-length map");
        if (count > MaxEntries)
        {
            throw new MarketsWireException(MarketsWireError.Oversized, $"{what} has {count} entries; at most {MaxEntries} are read");
        }

        var entries = new Dictionary<string, ReadOnlyMemory<byte>>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            if (reader.PeekState() != CborReaderState.TextString)
            {
                throw new MarketsWireException(MarketsWireError.Malformed, $"{what} has a {Describe(reader.PeekState())} key; keys are field names");
            }

            var key = reader.ReadTextString();
            if (key.Length > MaxKeyBytes)
            {
                throw new MarketsWireException(MarketsWireError.Malformed, $"{what} has a {key.Length}-character key");
            }

            if (!entries.TryAdd(key, reader.ReadEncodedValue()))
            {
                throw new MarketsWireException(MarketsWireError.Malformed, $"{what} has the key {key} twice");
            }
        }

        reader.ReadEndMap();
        return new WireMap(what, entries);
    });

    /// <summary>Reads a whole message that is one map (nothing may follow it).</summary>
    public static WireMap Parse(ReadOnlyMemory<byte> encoded, string what)
    {
        var reader = WireCbor.Reader(encoded);
        var map = Read(reader, what);
        if (reader.BytesRemaining != 0)
        {
            throw new MarketsWireException(MarketsWireError.Malformed, $"{reader.BytesRemaining} bytes follow the {what}");
        }

        return map;
    }

    /// <summary>Whether the key is present.</summary>
    public bool Has(string key) => _entries.ContainsKey(key);

    /// <summary>A required field.</summary>
    /// <exception cref="MarketsWireException">Missing, or its value does not read as <typeparamref name="T"/>.</exception>
    public T Required<T>(string key, Func<CborReader, T> read) =>
        _entries.TryGetValue(key, out var value) ? Value(key, value, read)
            : throw new MarketsWireException(MarketsWireError.Malformed, $"{_what} has no {key}");

    /// <summary>A field that reads as <paramref name="missing"/> when absent (the Go zero value).</summary>
    public T Optional<T>(string key, T missing, Func<CborReader, T> read) =>
        _entries.TryGetValue(key, out var value) ? Value(key, value, read) : missing;

    private T Value<T>(string key, ReadOnlyMemory<byte> value, Func<CborReader, T> read) => WireCbor.Guard($"{_what}.{key}", () =>
    {
        var reader = WireCbor.Reader(value);
        var result = read(reader);
        return reader.BytesRemaining == 0 ? result
            : throw new MarketsWireException(MarketsWireError.Malformed, $"{_what}.{key} has trailing bytes");
    });

    private static string Describe(CborReaderState state) => state switch
    {
        CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => "integer",
        CborReaderState.ByteString => "byte string",
        CborReaderState.TextString => "text string",
        CborReaderState.StartArray => "array",
        CborReaderState.StartMap => "map",
        CborReaderState.Tag => "tag",
        CborReaderState.Null => "null",
        CborReaderState.Boolean => "boolean",
        _ => state.ToString(),
    };
}
