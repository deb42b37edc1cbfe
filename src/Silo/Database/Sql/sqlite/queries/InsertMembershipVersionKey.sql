INSERT OR IGNORE INTO OrleansMembershipVersionTable (DeploymentId, Timestamp, Version)
VALUES (@DeploymentId, strftime('%Y-%m-%d %H:%M:%f', 'now'), 0);
SELECT changes();
