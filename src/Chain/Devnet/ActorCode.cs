namespace Granary.Chain.Devnet;

/// <summary>The kinds of actor the devnet runs (Filecoin's builtin actors it needs).</summary>
public enum ActorCode
{
    /// <summary>f00.</summary>
    System = 0,

    /// <summary>f01: allocates actor ids.</summary>
    Init = 1,

    /// <summary>f02: pays block rewards.</summary>
    Reward = 2,

    /// <summary>f03: runs the end-of-epoch jobs.</summary>
    Cron = 3,

    /// <summary>f04: creates miners and totals power.</summary>
    Power = 4,

    /// <summary>f05: escrow and deals.</summary>
    Market = 5,

    /// <summary>f099: where burnt funds go.</summary>
    BurntFunds = 99,

    /// <summary>A key account (secp256k1).</summary>
    Account = 100,

    /// <summary>A storage miner.</summary>
    Miner = 101,
}

/// <summary>The singleton actors' fixed ids (as Filecoin's).</summary>
public static class SystemActors
{
    /// <summary>f00.</summary>
    public const ulong System = 0;

    /// <summary>f01.</summary>
    public const ulong Init = 1;

    /// <summary>f02.</summary>
    public const ulong Reward = 2;

    /// <summary>f03.</summary>
    public const ulong Cron = 3;

    /// <summary>f04.</summary>
    public const ulong Power = 4;

    /// <summary>f05.</summary>
    public const ulong Market = 5;

    /// <summary>f099.</summary>
    public const ulong BurntFunds = 99;

    /// <summary>The first id the init actor hands out.</summary>
    public const ulong FirstNonSingletonId = 100;
}
