-- Bump the version iff it still equals the caller's, and update the row, in one statement.
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable SET Version = Version + 1, Timestamp = now()
     WHERE DeploymentId = @DeploymentId AND Version = @Version
       AND EXISTS (SELECT 1 FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId
                     AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING 1),
updated AS (
    UPDATE OrleansMembershipTable
       SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
     WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
       AND EXISTS (SELECT 1 FROM bumped)
    RETURNING 1)
SELECT count(*)::integer FROM updated;
