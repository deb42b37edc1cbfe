using Granary.Chain.Devnet.Mining;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Pieces;
using Granary.Grains.Placement;
using Granary.Grains.Sealing.Workers;
using Granary.Grains.Sectors;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.Seal;
using Granary.Proofs.Trees;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sealing;

/// <inheritdoc cref="IUnsealGrain" />
/// <remarks>
/// <para><b>Single flight.</b> The unseal is a task the activation holds; <see cref="Unseal"/> is always-interleaved, so
/// every caller awaits the same task (bounded by its own wait) and a second request never starts a second unseal. Once the
/// task ends, a call answers "done" while the unsealed file is on this silo; a failure answers callers for
/// <see cref="ResultKept"/> (a damaged replica is not decoded again for every request); else a call starts a new unseal.</para>
/// <para><b>Work.</b> The heavy part runs on this silo's <see cref="SealingWorkerPool"/> as an <c>Unseal</c> task (lotus's
/// <c>seal/v0/unseal</c>, its resource row), off the Orleans scheduler: <see cref="LocalStorage.AcquireSectorAsync"/> finds
/// the sealed replica here or fetches it from the silo the index names, allocates the unsealed file on a long-term
/// storage path (a sealing path if no long-term path has room), the engine re-derives the labels and decodes the replica
/// (checking the sector's CommD), every piece's padded range is hashed and compared with its piece CID, and only then is
/// the file declared in the sector index. A failed check deletes the file.</para>
/// </remarks>
[RequiresSubsystem(Subsystem.Sealing)]
public sealed partial class UnsealGrain(
    SealingWorkerPool pool,
    LocalStorage storage,
    IGrainFactory grains,
    ILogger<UnsealGrain> logger) : Grain, IUnsealGrain
{
    /// <summary>The longest one <see cref="Unseal"/> call waits; callers wanting longer call again.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    /// <summary>How long a finished unseal's result answers callers before a new call starts another.</summary>
    public static readonly TimeSpan ResultKept = TimeSpan.FromSeconds(10);

    private Task<UnsealStatus>? _running;
    private DateTimeOffset _started;
    private DateTimeOffset _finished;
    private SectorId _id;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!SectorId.TryParse(this.GetPrimaryKeyString(), out _id))
        {
            throw new ArgumentException($"'{this.GetPrimaryKeyString()}' is not a sector name (s-t0MINER-NUMBER)");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<UnsealStatus> Unseal(TimeSpan wait)
    {
        if (_running is { IsCompleted: true } finished
            && ((await finished).State != UnsealState.Failed || DateTimeOffset.UtcNow - _finished > ResultKept))
        {
            _running = null; // a success is judged by the file (it may have been removed since); a failure is kept a while
        }

        if (_running is null)
        {
            if (storage.LocalFile(_id, SectorFileType.Unsealed) is { } existing && File.Exists(existing))
            {
                return new UnsealStatus(UnsealState.Done, $"{_id} already has an unsealed copy at {existing} on {storage.SiloName}", DateTimeOffset.UtcNow);
            }

            _started = DateTimeOffset.UtcNow;
            _running = RunAsync();
        }

        var running = _running;
        var bound = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxWait ? MaxWait : wait;
        if (!running.IsCompleted && bound > TimeSpan.Zero)
        {
            using var timeout = new CancellationTokenSource(bound);
            try
            {
                await running.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // The bound passed: report that it still runs.
            }
        }

        return running.IsCompleted
            ? await running
            : new UnsealStatus(UnsealState.Running, $"unsealing {_id} on {storage.SiloName}, running for {(DateTimeOffset.UtcNow - _started).TotalSeconds:0} s",
                _started);
    }

    private async Task<UnsealStatus> RunAsync()
    {
        var started = _started;
        try
        {
            var sector = await grains.GetGrain<ISectorGrain>(_id.Name).Status();
            if (sector is null || sector.Ticket is null || sector.CommD is null || sector.CommR is null)
            {
                return Fail(started, $"{_id} has no sealed replica to unseal: it is {(sector is null ? "unknown to this miner" : $"in state {sector.State}, not yet sealed")}",
                    noSealedCopy: true);
            }

            var sealedCopies = await grains.GetGrain<ISectorIndexGrain>(0).FindSector(_id, SectorFileType.Sealed);
            if (sealedCopies.Count == 0)
            {
                return Fail(started, $"{_id} has no sealed replica in the cluster to unseal (the sector index lists none)", noSealedCopy: true);
            }

            var proof = SealProofType.FromId(sector.SealProof);
            LogStarting(_id.Name, storage.SiloName);
            var note = await pool.RunAsync(new SealingTask(_id, SealingTaskType.Unseal, proof),
                (ct, _) => UnsealOnPoolAsync(proof, sector, ct), CancellationToken.None);
            LogDone(_id.Name, note, (DateTimeOffset.UtcNow - started).TotalSeconds);
            return new UnsealStatus(UnsealState.Done, note, started);
        }
        catch (Exception e)
        {
            // Every failure (storage, a damaged replica, the worker pool, a grain call) is the answer its waiters get.
            return Fail(started, $"unsealing {_id} on {storage.SiloName} failed: {e.Message}");
        }
        finally
        {
            _finished = DateTimeOffset.UtcNow;
        }
    }

    private UnsealStatus Fail(DateTimeOffset started, string message, bool noSealedCopy = false)
    {
        LogFailed(_id.Name, message);
        return new UnsealStatus(UnsealState.Failed, message, started, noSealedCopy);
    }

    // On a sealing thread: acquire the replica (fetched if elsewhere) and a place for the unsealed file, decode, check, declare.
    private async Task<string> UnsealOnPoolAsync(SealProofType proof, SectorSnapshot sector, CancellationToken cancellationToken)
    {
        SectorAcquisition files;
        try
        {
            files = await storage.AcquireSectorAsync(_id, SectorFileType.Sealed, SectorFileType.Unsealed, PathType.Storage,
                SectorSpace.Finalized(proof), cancellationToken);
        }
        catch (SectorStorageException) when (!cancellationToken.IsCancellationRequested)
        {
            files = await storage.AcquireSectorAsync(_id, SectorFileType.Sealed, SectorFileType.Unsealed, PathType.Sealing,
                SectorSpace.Finalized(proof), cancellationToken);
        }

        using (files)
        {
            var output = files.Paths.Unsealed;
            try
            {
                new Sealer(proof).Unseal(files.Paths, MinerProofs.ProverId(_id.Miner), _id.Number, sector.Ticket!, sector.CommD!, output, cancellationToken);
                CheckPieces(output, sector.Pieces);
            }
            catch
            {
                File.Delete(output);
                throw;
            }

            await files.DeclareAsync(cancellationToken);
            return $"unsealed {_id} into {output} on {storage.SiloName}; {sector.Pieces.Count} piece(s) match their CommP";
        }
    }

    // Each piece's padded range of the unsealed file must hash to its piece CID (the pieces lie end to end from offset 0).
    private void CheckPieces(string unsealed, IReadOnlyList<SectorPiece> pieces)
    {
        using var file = File.OpenHandle(unsealed);
        long offset = 0;
        foreach (var piece in pieces)
        {
            var padded = new byte[piece.Size];
            RandomAccess.Read(file, padded, offset);
            var commP = MerkleTree.Root(MerkleTree.Build(padded));
            if (!commP.AsSpan().SequenceEqual(PieceCid.CommitmentOf(Cid.Parse(piece.PieceCid))))
            {
                throw new InvalidDataException($"the unsealed bytes at offset {offset} of {_id} do not match piece {piece.PieceCid} (CommP "
                    + $"{Convert.ToHexStringLower(commP)}): the sealed replica is damaged");
            }

            offset += piece.Size;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "sector {Sector}: unsealing on demand on {Silo}")]
    private partial void LogStarting(string sector, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "sector {Sector}: {Note} in {Seconds:0.0} s")]
    private partial void LogDone(string sector, string note, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sector {Sector}: {Message}")]
    private partial void LogFailed(string sector, string message);
}
