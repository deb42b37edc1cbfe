namespace Granary.Gateway.Transfer;

/// <summary>
/// A transfer URL the SSRF guard refuses: a scheme other than http(s), or a host that resolves only to addresses a
/// storage provider must not be made to reach for a stranger (loopback, private, link-local, …). The message names
/// the address and its range.
/// </summary>
public sealed class TransferRefusedException(string message) : Exception(message);
