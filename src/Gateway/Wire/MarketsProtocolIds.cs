namespace Granary.Gateway.Wire;

/// <summary>The libp2p protocol ids Boost registers and clients dial (reference/filecoin.md §2.1).</summary>
public static class MarketsProtocolIds
{
    /// <summary>Deal proposal, current: adds <c>RemoveUnsealedCopy</c> and <c>SkipIPNIAnnounce</c>.</summary>
    public const string DealV121 = "/fil/storage/mk/1.2.1";

    /// <summary>Deal proposal, previous: the same message without the two 1.2.1 fields (they read as false).</summary>
    public const string DealV120 = "/fil/storage/mk/1.2.0";

    /// <summary>Deal status, signed by the client over the deal UUID.</summary>
    public const string DealStatus = "/fil/storage/status/1.2.0";

    /// <summary>The storage ask, signed by the miner's worker key.</summary>
    public const string Ask = "/fil/storage/ask/1.1.0";

    /// <summary>Retrieval query: is a payload or piece available here.</summary>
    public const string Query = "/fil/retrieval/qry/1.0.0";

    /// <summary>Retrieval transports: the addresses of the retrieval protocols served.</summary>
    public const string Transports = "/fil/retrieval/transports/1.0.0";
}
