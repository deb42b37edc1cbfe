INSERT INTO OrleansMembershipUpdateRequest
    (DeploymentId, Address, Port, Generation, Status, SuspectTimes, IAmAliveTime, Version)
VALUES (@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version);
SELECT changes();
