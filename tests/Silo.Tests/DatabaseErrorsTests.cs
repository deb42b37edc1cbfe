using Granary.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;

namespace Granary.Silo.Tests;

/// <summary>A PostgreSQL error crosses silos with its message (Orleans' own serializer, as between two silos).</summary>
public sealed class DatabaseErrorsTests
{
    [Fact]
    public void An_NpgsqlException_round_trips_through_Orleans_serialization_with_its_message()
    {
        var error = new NpgsqlException("The connection pool has been exhausted (test)");
        using var plain = new ServiceCollection().AddSerializer().BuildServiceProvider();
        Assert.ThrowsAny<Exception>(() => plain.GetRequiredService<Serializer>().SerializeToArray<Exception>(error)); // Orleans' default

        using var granary = DatabaseErrors.CrossSilos(new ServiceCollection().AddSerializer()).BuildServiceProvider();
        var serializer = granary.GetRequiredService<Serializer>();
        var back = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(error));
        Assert.Equal(("Npgsql.NpgsqlException", "The connection pool has been exhausted (test)"), (back!.GetType().FullName, back.Message));
    }
}
