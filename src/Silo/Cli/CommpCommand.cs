using System.CommandLine;
using System.Text.Json;
using Granary.Filecoin.Pieces;
using Spectre.Console;

namespace Granary.Silo.Cli;

/// <summary><c>granary commp FILE</c>: the piece commitment of a file, as <c>boostx commp</c> prints it.</summary>
internal static class CommpCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The payload (e.g. a CAR file) to commit to" };
        var json = CliOptions.Json();
        var command = new Command("commp", "Compute the piece CID (v1 and v2), payload size and padded piece size of a file") { file, json };
        command.SetAction(async (r, ct) =>
        {
            var info = r.GetValue(file)!;
            if (!info.Exists)
            {
                throw new CliError($"{info.FullName}: no such file", 2);
            }

            await using var stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            var result = Console.IsErrorRedirected || r.GetValue(json)
                ? await CommP.ComputeAsync(stream, cancellationToken: ct)
                : await WithProgressAsync(stream, info.Length, ct);

            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    PieceCid = result.CidV1.ToString(),
                    PieceCidV2 = result.CidV2.ToString(),
                    PayloadSize = result.PayloadSize,
                    PieceSize = result.PaddedSize,
                }));
                return;
            }

            Console.WriteLine($"CommP CID:     {result.CidV1}");
            Console.WriteLine($"Piece CID v2:  {result.CidV2}");
            Console.WriteLine($"Payload size:  {result.PayloadSize} bytes");
            Console.WriteLine($"Piece size:    {result.PaddedSize} bytes ({Human(result.PaddedSize)})");
        });
        return command;
    }

    private static async Task<CommP.Result> WithProgressAsync(Stream stream, long length, CancellationToken ct)
    {
        CommP.Result? result = null;
        await AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
            .Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("CommP", maxValue: Math.Max(1, length));
                result = await CommP.ComputeAsync(stream, progress: new Progress<long>(read => task.Value = read), cancellationToken: ct);
                task.Value = task.MaxValue;
            });
        return result!;
    }

    private static string Human(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.##} GiB" : bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):0.##} MiB" : $"{bytes / 1024.0:0.##} KiB";
}
