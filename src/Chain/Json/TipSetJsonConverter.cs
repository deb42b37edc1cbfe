using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;

namespace Granary.Chain.Json;

/// <summary>
/// A tipset as Lotus's <c>types.TipSet</c> JSON: <c>{"Cids": [...], "Blocks": [...], "Height": n}</c>. Lotus keeps
/// the parents in each block header; the model keeps them on the tipset, so they are written into every block and
/// read from the first.
/// </summary>
public sealed class TipSetJsonConverter : JsonConverter<TipSet>
{
    /// <inheritdoc />
    public override TipSet Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "TipSet", options);
        var key = o.Required<TipSetKey>("Cids");
        var blocks = new List<BlockHeader>();
        TipSetKey? parents = null;
        if (o.Has("Blocks"))
        {
            var array = o.Element("Blocks");
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw o.Error("Blocks is an array of block headers");
            }

            if (array.GetArrayLength() > TipSetKeyJsonConverter.MaxBlocks)
            {
                throw o.Error($"more than {TipSetKeyJsonConverter.MaxBlocks} blocks");
            }

            foreach (var element in array.EnumerateArray())
            {
                try
                {
                    using var b = LotusObject.From(element, "BlockHeader", options);
                    var (block, blockParents) = BlockHeaderJsonConverter.Read(b);
                    blocks.Add(block);
                    parents ??= blockParents;
                }
                catch (JsonException e)
                {
                    throw o.Error($"Blocks[{blocks.Count}]: {e.Message}");
                }
            }
        }

        return new TipSet(key, o.Required<long>("Height"), parents ?? new TipSetKey([]), blocks);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TipSet value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("Cids");
        JsonSerializer.Serialize(writer, value.Key, options);
        writer.WriteStartArray("Blocks");
        foreach (var block in value.Blocks)
        {
            BlockHeaderJsonConverter.Write(writer, block, value.Parents, options);
        }

        writer.WriteEndArray();
        writer.WriteNumber("Height", value.Height);
        writer.WriteEndObject();
    }
}
