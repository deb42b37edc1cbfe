using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;

namespace Granary.Chain.Json;

/// <summary>
/// A bitfield as go-bitfield's JSON: alternating run lengths starting with a run of zeros (<c>[5, 1]</c> = {5},
/// <c>[0, 3]</c> = {0, 1, 2}); the empty set is <c>[0]</c>. As go-bitfield, a zero-length run is only allowed
/// first.
/// </summary>
public sealed class BitFieldJsonConverter : JsonConverter<BitField>
{
    /// <inheritdoc />
    public override BitField Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"a bitfield is an array of run lengths such as [0, 3], got {LotusObject.Describe(reader.TokenType)}");
        }

        var runs = new List<ulong>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out var run))
            {
                throw new JsonException("a bitfield's run lengths are non-negative integers");
            }

            if (run == 0 && runs.Count > 0)
            {
                throw new JsonException("a bitfield cannot have a zero-length run except at the start");
            }

            if (runs.Count == LotusJson.MaxBitFieldRuns)
            {
                throw new JsonException($"a bitfield has more than {LotusJson.MaxBitFieldRuns} runs");
            }

            runs.Add(run);
        }

        try
        {
            return BitField.FromRuns(runs, LotusJson.MaxBitFieldMembers);
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, BitField value, JsonSerializerOptions options)
    {
        var runs = value.ToRuns();
        writer.WriteStartArray();
        if (runs.Count == 0)
        {
            writer.WriteNumberValue(0);
        }

        foreach (var run in runs)
        {
            writer.WriteNumberValue(run);
        }

        writer.WriteEndArray();
    }
}
