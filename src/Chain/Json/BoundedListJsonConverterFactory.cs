using System.Text.Json;
using System.Text.Json.Serialization;

namespace Granary.Chain.Json;

/// <summary>
/// <c>IReadOnlyList&lt;T&gt;</c> as a JSON array of at most <see cref="LotusJson.MaxArrayLength"/> elements, so a
/// hostile document cannot make an unbounded list.
/// </summary>
public sealed class BoundedListJsonConverterFactory : JsonConverterFactory
{
    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(IReadOnlyList<>);

    /// <inheritdoc />
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(BoundedListConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class BoundedListConverter<T> : JsonConverter<IReadOnlyList<T>>
    {
        public override IReadOnlyList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException($"expected an array, got {LotusObject.Describe(reader.TokenType)}");
            }

            var element = (JsonConverter<T>)options.GetConverter(typeof(T));
            var list = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (list.Count == LotusJson.MaxArrayLength)
                {
                    throw new JsonException($"array is longer than {LotusJson.MaxArrayLength} elements");
                }

                T? item;
                try
                {
                    item = reader.TokenType == JsonTokenType.Null && !element.HandleNull
                        ? default
                        : element.Read(ref reader, typeof(T), options);
                }
                catch (JsonException e) when (e.Path is null or "$")
                {
                    // Name the element: the serializer's path stops at the array.
                    throw new JsonException($"[{list.Count}]: {e.Message}", e);
                }

                list.Add(item ?? throw new JsonException($"[{list.Count}]: element is null"));
            }

            return list;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options)
        {
            var element = (JsonConverter<T>)options.GetConverter(typeof(T));
            writer.WriteStartArray();
            foreach (var item in value)
            {
                element.Write(writer, item, options);
            }

            writer.WriteEndArray();
        }
    }
}
