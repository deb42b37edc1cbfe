using System.Formats.Cbor;

namespace Granary.Silo.Backup;

/// <summary>One row of Orleans' <c>OrleansRemindersTable</c>.</summary>
public sealed record ReminderRecord(string GrainId, string Name, DateTime StartTime, long Period, int GrainHash, int Version) : BackupRecord
{
    internal const string Type = "reminder";

    /// <inheritdoc />
    public override string Category => BackupCategories.Reminders;

    /// <inheritdoc />
    protected override void Write(CborWriter writer)
    {
        writer.WriteStartArray(7);
        writer.WriteTextString(Type);
        writer.WriteTextString(GrainId);
        writer.WriteTextString(Name);
        writer.WriteInt64(StartTime.ToUniversalTime().Ticks);
        writer.WriteInt64(Period);
        writer.WriteInt32(GrainHash);
        writer.WriteInt32(Version);
        writer.WriteEndArray();
    }

    internal static ReminderRecord Read(CborReader reader, int length)
    {
        Expect(length, 7, Type);
        var record = new ReminderRecord(reader.ReadTextString(), reader.ReadTextString(), Time(reader.ReadInt64()), reader.ReadInt64(),
            reader.ReadInt32(), reader.ReadInt32());
        if (record.GrainId.Length is 0 or > 150 || record.Name.Length is 0 or > 150)
        {
            throw new BackupFormatException("a reminder's grain id and name must be 1 to 150 characters");
        }

        return record;
    }
}
