using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Storage;

namespace Granary.Grains;

/// <summary>Names of the grain storage providers every silo registers, and the wrappers a granary silo puts around them.</summary>
public static class GrainStorage
{
    /// <summary>The cluster database (SQLite or PostgreSQL through Orleans ADO.NET persistence).</summary>
    public const string Name = "granary";

    /// <summary>
    /// Wraps the grain storage provider <paramref name="name"/>, registered before this call, in a
    /// <see cref="SerialWriteGrainStorage"/>: its writes go to the database one at a time (for SQLite).
    /// </summary>
    /// <exception cref="InvalidOperationException">No provider of that name is registered yet.</exception>
    public static ISiloBuilder SerializeGrainStorageWrites(this ISiloBuilder silo, string name) =>
        silo.WrapGrainStorage(name, inner => new SerialWriteGrainStorage(inner));

    /// <summary>
    /// Wraps the grain storage provider <paramref name="name"/>, registered before this call, in a
    /// <see cref="NewStateGrainStorage"/>: grains their callers declare new (<see cref="NewStateHint"/>) activate without a read.
    /// Only sound on a database whose write queries insert a first version only where no row exists (Granary's do).
    /// </summary>
    /// <exception cref="InvalidOperationException">No provider of that name is registered yet.</exception>
    public static ISiloBuilder SkipReadsOfNewState(this ISiloBuilder silo, string name) =>
        silo.WrapGrainStorage(name, inner => new NewStateGrainStorage(inner));

    /// <summary>Replaces the keyed provider <paramref name="name"/> with <paramref name="wrap"/> of it (the last registration wins).</summary>
    /// <exception cref="InvalidOperationException">No provider of that name is registered yet.</exception>
    public static ISiloBuilder WrapGrainStorage(this ISiloBuilder silo, string name, Func<IGrainStorage, IGrainStorage> wrap)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(wrap);
        var registered = silo.Services.LastOrDefault(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name))
            ?? throw new InvalidOperationException($"no grain storage provider named '{name}' is registered to wrap");
        var create = registered.KeyedImplementationFactory
            ?? throw new InvalidOperationException($"the grain storage provider '{name}' is not registered by a factory");
        silo.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => wrap((IGrainStorage)create(sp, key)));
        return silo;
    }
}
