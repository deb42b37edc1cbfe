namespace Granary.Chain.Devnet;

/// <summary>
/// Filecoin's exit codes (go-state-types <c>exitcode</c>): 0–15 are the VM's, 16 and up the common actor
/// errors. A message's receipt carries one; the devnet's actors raise them as <see cref="ActorException"/>.
/// </summary>
public enum ExitCode : long
{
    /// <summary>Success.</summary>
    Ok = 0,

    /// <summary>The sender is not a valid sender (unknown, not an account).</summary>
    SysErrSenderInvalid = 1,

    /// <summary>The sender cannot send this message now (wrong nonce, cannot pay for gas).</summary>
    SysErrSenderStateInvalid = 2,

    /// <summary>The receiver has no such method.</summary>
    SysErrInvalidMethod = 3,

    /// <summary>The receiver is not valid and cannot be created implicitly.</summary>
    SysErrInvalidReceiver = 5,

    /// <summary>An actor-to-actor send lacked the funds for its value.</summary>
    SysErrInsufficientFunds = 6,

    /// <summary>Execution ran out of gas.</summary>
    SysErrOutOfGas = 7,

    /// <summary>The caller is not allowed to call this method (runtime caller validation).</summary>
    SysErrForbidden = 8,

    /// <summary>A method parameter is invalid.</summary>
    ErrIllegalArgument = 16,

    /// <summary>A requested resource does not exist.</summary>
    ErrNotFound = 17,

    /// <summary>The action is not allowed (now, or for this caller).</summary>
    ErrForbidden = 18,

    /// <summary>A balance of funds is insufficient.</summary>
    ErrInsufficientFunds = 19,

    /// <summary>The actor's state is inconsistent with the request.</summary>
    ErrIllegalState = 20,

    /// <summary>Parameters could not be (de)serialized.</summary>
    ErrSerialization = 21,

    /// <summary>The actor has no such method.</summary>
    ErrUnhandledMessage = 22,
}
