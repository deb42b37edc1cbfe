using Granary.Grains.Placement;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Granary.Grains.Deals;

/// <inheritdoc cref="IDealDirectoryGrain" />
/// <remarks>
/// Admissions are decided one at a time against the in-memory ledger (the grain is reentrant, but every decision
/// runs in one turn without an await, so two gateways still cannot both take the last slot). What is decided is made
/// durable by a group commit: while one write is in flight, the decisions taken meanwhile collect into the next, and
/// each call returns only once the write holding its change has succeeded. A failed write fails every call whose
/// change was not yet stored and reloads the ledger from the database.
/// <para>
/// What is written stays small however many deals are outstanding: a deal's reservation is kept on its listing page
/// (<see cref="DealListPage.Reservations"/>, next to its summary, at most <see cref="DealListPage.Capacity"/> per
/// page), and the directory's own state holds counters and the pages that hold reservations. One batch writes the
/// directory state, then each page it touched. The directory goes first and names a page before the page holds a
/// reservation (and drops it only after the page was written without any), so after any failure the pages it names
/// cover every stored reservation; activation reads them back.
/// </para>
/// <para>
/// A reservation is released when the deal no longer needs it (transfer slot at <see cref="DealCheckpoint.Transferred"/>,
/// staging bytes at <see cref="DealCheckpoint.AddedPiece"/>), or when it fails.
/// </para>
/// <para>
/// Sealing capacity (<see cref="DealCapacity.MaxSealingSectorsForDeals"/>) is decided in the same turn against the count of
/// deal sectors sealing that the miner's <see cref="Sectors.IDealSectorPlannerGrain"/> pushes here on every change
/// (read once at activation), plus the sectors the deals holding a reservation (admitted, not yet in a sector) still need.
/// </para>
/// </remarks>
[RequiresSubsystem(Subsystem.Markets)]
[Reentrant]
public sealed partial class DealDirectoryGrain(
    [PersistentState("deal-directory", GrainStorage.Name)] IPersistentState<DealDirectoryState> state,
    ILogger<DealDirectoryGrain> logger) : Grain, IDealDirectoryGrain
{
    private readonly Dictionary<Guid, DealReservation> _byDeal = [];
    private readonly Dictionary<int, int> _perPage = [];
    private readonly HashSet<int> _namedPages = [];
    private long _reservedBytes;
    private int _transfers;
    private int _pages;
    private long _deals;
    private int _lastPageCount;

    // Changes not yet written: page → deal → its summary (null: unlisted), and page → deal → its reservation (null: released).
    private Dictionary<int, Dictionary<Guid, DealSummary?>> _summaries = [];
    private Dictionary<int, Dictionary<Guid, DealReservation?>> _reservations = [];
    private bool _directoryChanged;
    private TaskCompletionSource? _next;
    private Task _lastChange = Task.CompletedTask;
    private bool _writing;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await LoadAsync();
        await ReadSealingAtActivationAsync();
    }

    /// <inheritdoc />
    public async Task<DealAdmission> Admit(DealSummary deal, long stagingBytes, DealCapacity capacity)
    {
        ArgumentNullException.ThrowIfNull(deal);
        ArgumentNullException.ThrowIfNull(capacity);
        if (_byDeal.TryGetValue(deal.DealUuid, out var admitted))
        {
            await _lastChange; // admitted by a write that may still be in flight
            return new DealAdmission(true, "", admitted.Page);
        }

        var holdsTransfer = !deal.IsOffline;
        if (capacity.MaxStagingBytes > 0 && _reservedBytes + stagingBytes > capacity.MaxStagingBytes)
        {
            return new DealAdmission(false,
                $"cannot accept a deal of {stagingBytes} bytes on top of the {_reservedBytes} bytes already staged for other deals: "
                + $"it would exceed the staging limit of {capacity.MaxStagingBytes} bytes (MaxStagingBytes); try again later", -1);
        }

        if (holdsTransfer && capacity.MaxConcurrentTransfers > 0 && _transfers >= capacity.MaxConcurrentTransfers)
        {
            return new DealAdmission(false,
                $"cannot accept the deal: {_transfers} transfers are already in progress, the limit (MaxConcurrentTransfers); try again later", -1);
        }

        if (capacity.MaxSealingSectorsForDeals > 0 && SealingRefusal(deal, capacity) is { } sealingFull)
        {
            return new DealAdmission(false, sealingFull, -1);
        }

        if (_pages == 0 || _lastPageCount >= DealListPage.Capacity)
        {
            _pages++;
            _lastPageCount = 0;
        }

        var page = _pages - 1;
        _lastPageCount++;
        _deals++;
        _directoryChanged = true;
        Reserve(new DealReservation(deal.DealUuid, stagingBytes, holdsTransfer, DateTimeOffset.UtcNow, page, deal.PieceSize));
        Change(_summaries, page, deal.DealUuid, deal);
        await CommitAsync();
        return new DealAdmission(true, "", page);
    }

    /// <inheritdoc />
    public async Task Update(DealSummary deal, int page)
    {
        ArgumentNullException.ThrowIfNull(deal);
        var changed = false;
        if (page >= 0 && page < _pages)
        {
            Change(_summaries, page, deal.DealUuid, deal);
            changed = true;
        }

        if (_byDeal.TryGetValue(deal.DealUuid, out var reservation))
        {
            if (deal.Checkpoint >= DealCheckpoint.AddedPiece)
            {
                Release(reservation);
                changed = true;
            }
            else if (reservation.HoldsTransfer && deal.Checkpoint >= DealCheckpoint.Transferred)
            {
                Release(reservation);
                Reserve(reservation with { HoldsTransfer = false });
                changed = true;
            }
        }

        if (changed)
        {
            await CommitAsync();
        }
    }

    /// <inheritdoc />
    public async Task Withdraw(Guid dealUuid, int page)
    {
        var changed = false;
        if (page >= 0 && page < _pages)
        {
            Change(_summaries, page, dealUuid, null);
            changed = true;
        }

        if (_byDeal.TryGetValue(dealUuid, out var reservation))
        {
            Release(reservation);
            changed = true;
        }

        if (changed)
        {
            await CommitAsync();
        }
    }

    /// <inheritdoc />
    public Task<DealDirectoryInfo> Describe() =>
        Task.FromResult(new DealDirectoryInfo(this.GetPrimaryKeyString(), _deals, _reservedBytes, _transfers, _byDeal.Count));

    /// <inheritdoc />
    public async Task<IReadOnlyList<DealSummary>> List(int offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await _lastChange; // the pages hold what is written
        var result = new List<DealSummary>();
        var skip = offset;
        for (var page = _pages - 1; page >= 0 && result.Count < limit; page--)
        {
            var deals = await Page(page).Get();
            for (var i = deals.Count - 1; i >= 0 && result.Count < limit; i--)
            {
                if (skip > 0)
                {
                    skip--;
                    continue;
                }

                result.Add(deals[i]);
            }
        }

        return result;
    }

    private void Reserve(DealReservation reservation)
    {
        _byDeal[reservation.DealUuid] = reservation;
        _reservedBytes += reservation.StagingBytes;
        _waitingPieceBytes += WaitingBytes(reservation);
        _transfers += reservation.HoldsTransfer ? 1 : 0;
        _perPage[reservation.Page] = _perPage.GetValueOrDefault(reservation.Page) + 1;
        if (_namedPages.Add(reservation.Page))
        {
            _directoryChanged = true; // the directory names the page before the page holds it
        }

        Change(_reservations, reservation.Page, reservation.DealUuid, reservation);
    }

    private void Release(DealReservation reservation)
    {
        _byDeal.Remove(reservation.DealUuid);
        _reservedBytes -= reservation.StagingBytes;
        _waitingPieceBytes -= WaitingBytes(reservation);
        _transfers -= reservation.HoldsTransfer ? 1 : 0;
        _perPage[reservation.Page] = _perPage.GetValueOrDefault(reservation.Page) - 1;
        Change(_reservations, reservation.Page, reservation.DealUuid, null);
    }

    private static void Change<T>(Dictionary<int, Dictionary<Guid, T?>> changes, int page, Guid deal, T? value)
        where T : class
    {
        if (!changes.TryGetValue(page, out var onPage))
        {
            changes[page] = onPage = [];
        }

        onPage[deal] = value;
    }

    // The change just made joins the next write; completes when that write has succeeded.
    private Task CommitAsync()
    {
        _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lastChange = _next.Task;
        if (!_writing)
        {
            _writing = true;
            _ = WriteLoopAsync(); // runs on this activation's scheduler; its outcome reaches the callers through _next
        }

        return _lastChange;
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (_next is { } batch)
            {
                _next = null;
                var summaries = _summaries;
                var reservations = _reservations;
                _summaries = [];
                _reservations = [];
                var writeDirectory = _directoryChanged || state.State.Reservations.Count > 0;
                _directoryChanged = false;
                try
                {
                    if (writeDirectory)
                    {
                        // A fresh object: the provider serializes it while other turns change the ledger.
                        state.State = new DealDirectoryState
                        {
                            Pages = _pages,
                            Deals = _deals,
                            LastPageCount = _lastPageCount,
                            ReservedPages = [.. _namedPages.Order()],
                        };
                        await state.WriteStateAsync();
                    }

                    var pages = summaries.Keys.Union(reservations.Keys).ToList();
                    await Task.WhenAll(pages.Select(p =>
                    {
                        var s = summaries.GetValueOrDefault(p) ?? [];
                        var r = reservations.GetValueOrDefault(p) ?? [];
                        return Page(p).Apply([.. s.Values.OfType<DealSummary>()], [.. s.Where(c => c.Value is null).Select(c => c.Key)],
                            [.. r.Values.OfType<DealReservation>()], [.. r.Where(c => c.Value is null).Select(c => c.Key)]);
                    }));

                    // Pages now written without any reservation may be dropped from the directory at its next write.
                    foreach (var page in pages.Where(p => _perPage.GetValueOrDefault(p) == 0 && _namedPages.Contains(p)))
                    {
                        _namedPages.Remove(page);
                        _perPage.Remove(page);
                        _directoryChanged = true;
                    }

                    batch.SetResult();
                }
                catch (Exception e)
                {
                    // Not stored: neither this batch nor the changes collected meanwhile (decided against it) stand.
                    batch.SetException(e);
                    if (_next is { } following)
                    {
                        _next = null;
                        following.SetException(e);
                    }

                    await ReloadQuietlyAsync();
                }
            }
        }
        finally
        {
            _writing = false;
        }
    }

    private async Task ReloadQuietlyAsync()
    {
        try
        {
            await state.ReadStateAsync();
            await LoadAsync();
        }
        catch (Exception)
        {
            // What is stored is unknown: deactivate, so the next call starts from whatever the database holds.
            DeactivateOnIdle();
        }
    }

    private async Task LoadAsync()
    {
        var stored = state.State;
        _byDeal.Clear();
        _perPage.Clear();
        _namedPages.Clear();
        _summaries = [];
        _reservations = [];
        (_reservedBytes, _transfers, _pages, _deals, _lastPageCount) = (0, 0, stored.Pages, stored.Deals, stored.LastPageCount);
        _waitingPieceBytes = 0;
        var fromPages = await Task.WhenAll(stored.ReservedPages.Distinct().Select(p => Page(p).Reservations()));
        foreach (var page in stored.ReservedPages)
        {
            _namedPages.Add(page);
        }

        foreach (var reservation in fromPages.SelectMany(r => r))
        {
            Reserve(reservation);
        }

        // Written by an earlier version (all in the directory): moved to their pages by the next write.
        foreach (var reservation in stored.Reservations.Where(r => !_byDeal.ContainsKey(r.DealUuid)))
        {
            Reserve(reservation);
        }

        _reservations = stored.Reservations.Count > 0 ? _reservations : [];
        _directoryChanged = false;
    }

    private IDealListPageGrain Page(int page) => GrainFactory.GetGrain<IDealListPageGrain>($"{this.GetPrimaryKeyString()}/{page}");
}
