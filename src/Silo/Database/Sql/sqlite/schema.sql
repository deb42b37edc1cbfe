-- Granary schema for SQLite (the embedded default). Written for Granary; idempotent:
-- every object is created IF NOT EXISTS, so applying it twice changes nothing.
-- Orleans query texts are upserted into OrleansQuery from queries/*.sql by the migrator.

PRAGMA journal_mode = WAL;

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS GranarySchema
(
    Id        INTEGER NOT NULL PRIMARY KEY CHECK (Id = 1),
    Version   INTEGER NOT NULL,
    AppliedAt TEXT    NOT NULL
);

-- Grain state. The identity columns form the primary key so a write is one upsert statement.
-- GrainIdExtensionString is stored as '' when absent, because NULLs never collide in a key.
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT    NOT NULL DEFAULT '',
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,
    ModifiedOn             TEXT    NOT NULL,
    Version                INTEGER NOT NULL,
    PRIMARY KEY (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, GrainIdExtensionString, ServiceId)
) WITHOUT ROWID;

-- Cluster membership.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId TEXT    NOT NULL PRIMARY KEY,
    Timestamp    TEXT    NOT NULL,
    Version      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId TEXT    NOT NULL,
    Address      TEXT    NOT NULL,
    Port         INTEGER NOT NULL,
    Generation   INTEGER NOT NULL,
    SiloName     TEXT    NOT NULL,
    HostName     TEXT    NOT NULL,
    Status       INTEGER NOT NULL,
    ProxyPort    INTEGER NULL,
    SuspectTimes TEXT    NULL,
    StartTime    TEXT    NOT NULL,
    IAmAliveTime TEXT    NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation),
    FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Membership writes must bump the table version iff it still equals the caller's and change
-- the row, atomically. SQLite has no writable CTEs, so each write is one INSERT into a request
-- table whose BEFORE trigger does the compare-and-swap; RAISE(IGNORE) drops the request (and so
-- makes changes() = 0) when the version moved. The AFTER trigger removes the request row.
CREATE TABLE IF NOT EXISTS OrleansMembershipInsertRequest
(
    DeploymentId TEXT, Address TEXT, Port INTEGER, Generation INTEGER, SiloName TEXT, HostName TEXT,
    Status INTEGER, ProxyPort INTEGER, StartTime TEXT, IAmAliveTime TEXT, Version INTEGER
);

CREATE TRIGGER IF NOT EXISTS OrleansMembershipInsertCas BEFORE INSERT ON OrleansMembershipInsertRequest
BEGIN
    SELECT RAISE(IGNORE) WHERE NOT EXISTS
        (SELECT 1 FROM OrleansMembershipVersionTable WHERE DeploymentId = NEW.DeploymentId AND Version = NEW.Version);
    SELECT RAISE(IGNORE) WHERE EXISTS
        (SELECT 1 FROM OrleansMembershipTable WHERE DeploymentId = NEW.DeploymentId AND Address = NEW.Address
            AND Port = NEW.Port AND Generation = NEW.Generation);
    UPDATE OrleansMembershipVersionTable
       SET Version = Version + 1, Timestamp = strftime('%Y-%m-%d %H:%M:%f', 'now')
     WHERE DeploymentId = NEW.DeploymentId;
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES (NEW.DeploymentId, NEW.Address, NEW.Port, NEW.Generation, NEW.SiloName, NEW.HostName, NEW.Status,
            NEW.ProxyPort, NEW.StartTime, NEW.IAmAliveTime);
END;

CREATE TRIGGER IF NOT EXISTS OrleansMembershipInsertDone AFTER INSERT ON OrleansMembershipInsertRequest
BEGIN
    DELETE FROM OrleansMembershipInsertRequest WHERE rowid = NEW.rowid;
END;

CREATE TABLE IF NOT EXISTS OrleansMembershipUpdateRequest
(
    DeploymentId TEXT, Address TEXT, Port INTEGER, Generation INTEGER, Status INTEGER,
    SuspectTimes TEXT, IAmAliveTime TEXT, Version INTEGER
);

CREATE TRIGGER IF NOT EXISTS OrleansMembershipUpdateCas BEFORE INSERT ON OrleansMembershipUpdateRequest
BEGIN
    SELECT RAISE(IGNORE) WHERE NOT EXISTS
        (SELECT 1 FROM OrleansMembershipVersionTable WHERE DeploymentId = NEW.DeploymentId AND Version = NEW.Version);
    SELECT RAISE(IGNORE) WHERE NOT EXISTS
        (SELECT 1 FROM OrleansMembershipTable WHERE DeploymentId = NEW.DeploymentId AND Address = NEW.Address
            AND Port = NEW.Port AND Generation = NEW.Generation);
    UPDATE OrleansMembershipVersionTable
       SET Version = Version + 1, Timestamp = strftime('%Y-%m-%d %H:%M:%f', 'now')
     WHERE DeploymentId = NEW.DeploymentId;
    UPDATE OrleansMembershipTable
       SET Status = NEW.Status, SuspectTimes = NEW.SuspectTimes, IAmAliveTime = NEW.IAmAliveTime
     WHERE DeploymentId = NEW.DeploymentId AND Address = NEW.Address AND Port = NEW.Port AND Generation = NEW.Generation;
END;

CREATE TRIGGER IF NOT EXISTS OrleansMembershipUpdateDone AFTER INSERT ON OrleansMembershipUpdateRequest
BEGIN
    DELETE FROM OrleansMembershipUpdateRequest WHERE rowid = NEW.rowid;
END;

-- Reminders.
CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    TEXT    NOT NULL,
    GrainId      TEXT    NOT NULL,
    ReminderName TEXT    NOT NULL,
    StartTime    TEXT    NOT NULL,
    Period       INTEGER NOT NULL,
    GrainHash    INTEGER NOT NULL,
    Version      INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS IX_OrleansRemindersTable_Hash ON OrleansRemindersTable (ServiceId, GrainHash);
