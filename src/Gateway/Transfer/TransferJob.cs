namespace Granary.Gateway.Transfer;

/// <summary>One deal's HTTP pull.</summary>
/// <param name="Deal">The deal UUID (names the staging file).</param>
/// <param name="Params">The client's URL and headers.</param>
/// <param name="Size">The transfer size the deal states (<c>Transfer.Size</c>): exactly this many bytes are expected.</param>
public sealed record TransferJob(Guid Deal, HttpTransferParams Params, long Size);
