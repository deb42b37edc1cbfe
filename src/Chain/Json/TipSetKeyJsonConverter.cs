using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;
using Granary.Filecoin.Cids;

namespace Granary.Chain.Json;

/// <summary>A tipset key as Lotus's <c>types.TipSetKey</c>: the array of its block CIDs.</summary>
public sealed class TipSetKeyJsonConverter : JsonConverter<TipSetKey>
{
    /// <summary>Most blocks a tipset key may name.</summary>
    public const int MaxBlocks = 256;

    /// <inheritdoc />
    public override TipSetKey Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"a tipset key is an array of CIDs, got {LotusObject.Describe(reader.TokenType)}");
        }

        var cids = new List<Cid>();
        var cid = (JsonConverter<Cid>)options.GetConverter(typeof(Cid));
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (cids.Count == MaxBlocks)
            {
                throw new JsonException($"a tipset key names at most {MaxBlocks} blocks");
            }

            cids.Add(cid.Read(ref reader, typeof(Cid), options) ?? throw new JsonException("a tipset key has a null CID"));
        }

        return new TipSetKey(cids);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TipSetKey value, JsonSerializerOptions options)
    {
        var cid = (JsonConverter<Cid>)options.GetConverter(typeof(Cid));
        writer.WriteStartArray();
        foreach (var c in value.Cids)
        {
            cid.Write(writer, c, options);
        }

        writer.WriteEndArray();
    }
}
