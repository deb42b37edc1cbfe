-- Returns the deleted version + 1, as Orleans expects from a delete-on-clear.
DELETE FROM OrleansStorage
 WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
   AND GrainTypeString = @GrainTypeString AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString::varchar, '')
   AND ServiceId = @ServiceId
   AND Version = @GrainStateVersion::integer
RETURNING Version + 1;
