-- One upsert: insert the first version, or bump the version iff it still equals the caller's ETag.
-- No row comes back on a conflict, which Orleans reports as an InconsistentStateException.
INSERT INTO OrleansStorage
    (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId,
     PayloadBinary, ModifiedOn, Version)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
       COALESCE(@GrainIdExtensionString::varchar, ''), @ServiceId, @PayloadBinary, now(), 1
 WHERE @GrainStateVersion::integer IS NULL
    OR EXISTS (SELECT 1 FROM OrleansStorage WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
   AND GrainTypeString = @GrainTypeString AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString::varchar, '')
   AND ServiceId = @ServiceId)
ON CONFLICT (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, GrainIdExtensionString, ServiceId)
DO UPDATE SET PayloadBinary = excluded.PayloadBinary, ModifiedOn = excluded.ModifiedOn, Version = OrleansStorage.Version + 1
 WHERE OrleansStorage.Version = @GrainStateVersion::integer
RETURNING Version AS NewGrainStateVersion;
