namespace Granary.Silo.Api;

/// <summary>Lotus's API permissions, in increasing power. A token carries a list of them.</summary>
public enum Permission
{
    /// <summary>Read state.</summary>
    Read,

    /// <summary>Change state.</summary>
    Write,

    /// <summary>Sign with wallet keys.</summary>
    Sign,

    /// <summary>Administer the node (tokens, storage, backups).</summary>
    Admin,
}

/// <summary>Permission names as they appear in tokens and on the command line.</summary>
public static class Permissions
{
    /// <summary>Every permission, in order: read, write, sign, admin.</summary>
    public static IReadOnlyList<Permission> All { get; } = Enum.GetValues<Permission>();

    /// <summary>The wire name: <c>read</c>, <c>write</c>, <c>sign</c>, <c>admin</c>.</summary>
    public static string Name(this Permission p) => p.ToString().ToLowerInvariant();

    /// <summary>Parses a wire name.</summary>
    public static bool TryParse(string name, out Permission permission)
    {
        foreach (var p in All)
        {
            if (p.Name() == name)
            {
                permission = p;
                return true;
            }
        }

        permission = default;
        return false;
    }

    /// <summary>
    /// What <c>auth create-token --perm P</c> grants: P and every weaker permission, as lotus does
    /// (<c>sign</c> gives read, write, sign).
    /// </summary>
    public static IReadOnlyList<Permission> UpTo(Permission p) => [.. All.Where(x => x <= p)];
}
