using System.Text.Json;
using Granary.Grains.Sealing.Workers;
using Granary.Silo.Api;

namespace Granary.Silo.Sealing;

/// <summary>
/// lotus-miner's worker methods, answered for every sealing silo of the cluster (each silo's pool is one
/// "worker", keyed by silo name): <c>WorkerJobs</c>, <c>WorkerStats</c> and <c>SealingAbort</c>, admin as in lotus.
/// The shapes follow lotus's (<c>storiface.WorkerJob</c>, <c>storiface.WorkerStats</c>) with Granary's fields added.
/// </summary>
internal static class SealingMethods
{
    public static IEnumerable<RpcMethod> Create(SealingWorkerDirectory workers) =>
    [
        new("Filecoin.WorkerJobs", Permission.Admin, async (_, ct) =>
        {
            var snapshots = await workers.SnapshotsAsync(ct);
            return snapshots.ToDictionary(s => s.Silo, s => s.Jobs.Select(j => Job(s, j)).ToArray());
        }),
        new("Filecoin.WorkerStats", Permission.Admin, async (_, ct) =>
        {
            var snapshots = await workers.SnapshotsAsync(ct);
            return snapshots.ToDictionary(s => s.Silo, Stats);
        }),
        new("Filecoin.SealingAbort", Permission.Admin, async (p, ct) =>
        {
            var id = CallId(p.Get<JsonElement>(0, "call"));
            return await workers.AbortAsync(id, ct) is not null
                ? null
                : throw new RpcException(RpcException.MethodError, $"no queued or running sealing job {id}");
        }),
    ];

    /// <summary>lotus's <c>sealing jobs</c> state text: <c>running</c>, <c>assigned(N)</c> (N-th to start), <c>cancelling</c>.</summary>
    public static string StateText(SealingJob job) => job.State switch
    {
        SealingJobState.Running => "running",
        SealingJobState.Cancelling => "cancelling",
        _ => $"assigned({job.QueuePosition})",
    };

    private static object Job(SealingWorkerSnapshot worker, SealingJob j)
    {
        var sector = new { j.Sector.Miner, j.Sector.Number };
        return new
        {
            ID = new { Sector = sector, ID = j.Id },
            Sector = sector,
            Task = j.Type.Name(),
            // lotus: 0 running, N+1 the N-th waiting ("assigned(N)").
            RunWait = j.State == SealingJobState.Queued ? j.QueuePosition + 1 : 0,
            Start = j.Started ?? j.Submitted,
            worker.Hostname,
            Worker = worker.Silo,
            State = StateText(j),
            j.Submitted,
            j.Started,
            j.SectorSize,
            j.Stage,
            j.Progress,
            j.Resources,
        };
    }

    private static object Stats(SealingWorkerSnapshot s) => new
    {
        Info = new
        {
            s.Hostname,
            Name = s.Silo,
            Resources = new
            {
                MemPhysical = s.Capacity.Memory,
                CPUs = s.Capacity.Cores,
                GPUs = Enumerable.Range(0, s.Capacity.GpuSlots).Select(i => $"slot {i}").ToArray(),
                Resources = s.Profiles.GroupBy(p => p.Type).ToDictionary(
                    g => g.Key.Name(),
                    g => g.ToDictionary(p => p.ProofTypeId.ToString(System.Globalization.CultureInfo.InvariantCulture), p => new
                    {
                        p.SectorSize,
                        p.Resources.Cores,
                        p.Resources.Memory,
                        p.Resources.GpuSlots,
                        p.Resources.Multithreaded,
                        p.MaxParallel,
                    })),
            },
        },
        Enabled = s.Error is null,
        MemUsedMin = s.InUse.Memory,
        MemUsedMax = s.InUse.Memory,
        GpuUsed = (double)s.InUse.GpuSlots,
        CpuUse = s.InUse.Cores,
        TaskCounts = s.Totals.Where(t => t.Running > 0).ToDictionary(t => t.Type.Name(), t => t.Running),
        Queued = s.Totals.Where(t => t.Queued > 0).ToDictionary(t => t.Type.Name(), t => t.Queued),
        Totals = s.Totals.Select(t => new { Task = t.Type.Name(), t.Running, t.Queued, t.Completed, t.Failed, t.Cancelled, BusySeconds = t.Busy.TotalSeconds }).ToArray(),
        s.Address,
        s.Error,
    };

    // lotus passes a storiface.CallID ({"Sector": {...}, "ID": "uuid"}); a bare id string is accepted too.
    private static Guid CallId(JsonElement call)
    {
        var text = call.ValueKind switch
        {
            JsonValueKind.String => call.GetString(),
            JsonValueKind.Object when call.TryGetProperty("ID", out var id) && id.ValueKind == JsonValueKind.String => id.GetString(),
            _ => null,
        };
        return Guid.TryParse(text, out var guid)
            ? guid
            : throw new RpcException(RpcException.InvalidParams, "param 0 (call) must be a call id: {\"ID\": \"UUID\"} or \"UUID\"");
    }
}
