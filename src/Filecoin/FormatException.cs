namespace Granary.Filecoin;

/// <summary>Bytes or text that are not a valid encoding of a Filecoin or IPLD value, with what is wrong.</summary>
public sealed class FilecoinFormatException(string message) : FormatException(message);
