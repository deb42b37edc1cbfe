using Granary.Silo.Api;
using Granary.Silo.Backup;

namespace Granary.Silo.Hosting;

/// <summary>
/// <c>Filecoin.CreateBackup</c> (admin), lotus-miner's method: writes a full backup of this silo's repo and the cluster
/// database to an absolute path on this silo's machine (which must not exist), from one consistent snapshot of every
/// table, while the silo keeps running. Returns the file, its kind, miner, counts, size and SHA-256. When the silo runs
/// with <c>GRANARY_BACKUP_BASE_PATH</c> set (lotus's <c>LOTUS_BACKUP_BASE_PATH</c>), only paths inside that folder are
/// accepted.
/// </summary>
internal static class BackupMethods
{
    /// <summary>The environment variable that confines online backups to one folder.</summary>
    public const string BasePathVariable = "GRANARY_BACKUP_BASE_PATH";

    public static IEnumerable<RpcMethod> Create(SiloIdentity identity) =>
    [
        new("Filecoin.CreateBackup", Permission.Admin, async (p, ct) =>
        {
            var path = p.Get<string>(0, "fpath");
            if (!Path.IsPathFullyQualified(path))
            {
                throw new RpcException(RpcException.InvalidParams, $"'{path}' is not an absolute path (the backup is written on the silo's machine)");
            }

            if (Environment.GetEnvironmentVariable(BasePathVariable) is { Length: > 0 } basePath)
            {
                var folder = Path.GetFullPath(basePath).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
                if (!Path.GetFullPath(path).StartsWith(folder, StringComparison.Ordinal))
                {
                    throw new RpcException(RpcException.MethodError, $"'{path}' is outside {folder} ({BasePathVariable} of the silo); write the backup inside it");
                }
            }

            try
            {
                var result = await BackupSnapshot.WriteAsync(BackupKind.Full, identity.Repo, identity.Config.Cluster.ServiceId, identity.Database, path,
                    cancellationToken: ct);
                return new
                {
                    result.Path,
                    Kind = BackupHeader.KindName(result.Header.Kind),
                    result.Header.Miner,
                    result.Header.Records,
                    result.Header.Counts,
                    result.Bytes,
                    result.Sha256,
                };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.Data.Common.DbException)
            {
                throw new RpcException(RpcException.MethodError, $"backup failed: {e.Message}");
            }
        }),
    ];
}
