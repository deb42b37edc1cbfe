INSERT INTO OrleansMembershipInsertRequest
    (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime, Version)
VALUES (@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime,
        @IAmAliveTime, @Version);
SELECT changes();
