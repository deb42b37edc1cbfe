using System.Diagnostics;
using System.Text.Json;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary><c>granary commp FILE --json</c> against @web3-storage/data-segment on the same random files.</summary>
public sealed class CommpCommandTests
{
    [Theory]
    [InlineData(65)]
    [InlineData(70_000)]
    [InlineData((127 << 10) + 1)]
    [InlineData(3 << 20)]
    public async Task Commp_command_agrees_with_data_segment(int size)
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, $"{size}.bin");
        var payload = new byte[size];
        new Random(size).NextBytes(payload);
        await File.WriteAllBytesAsync(file, payload);

        var (code, output) = await GranaryProcess.RunAsync(["commp", file, "--json"]);
        Assert.True(code == 0, output);
        var ours = JsonDocument.Parse(output).RootElement;
        var theirs = JsonDocument.Parse(await DataSegmentAsync(file)).RootElement;

        Assert.Equal(theirs.GetProperty("pieceCidV2").GetString(), ours.GetProperty("PieceCidV2").GetString());
        Assert.Equal(theirs.GetProperty("paddedSize").GetInt64(), ours.GetProperty("PieceSize").GetInt64());
        Assert.Equal(size, ours.GetProperty("PayloadSize").GetInt64());
        Assert.StartsWith("baga6ea4seaq", ours.GetProperty("PieceCid").GetString());
    }

    [Fact]
    public async Task A_missing_file_is_a_one_line_error()
    {
        var (code, output) = await GranaryProcess.RunAsync(["commp", "/nonexistent/granary-commp.bin"]);
        Assert.NotEqual(0, code);
        Assert.DoesNotContain("   at ", output);
        Assert.Contains("granary-commp.bin", output);
    }

    private static async Task<string> DataSegmentAsync(string file)
    {
        var folder = Path.Combine(RepoRoot.Path, "tests", "interop", "filecoin");
        var info = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("commp.mjs");
        info.ArgumentList.Add(file);
        using var node = Process.Start(info) ?? throw new InvalidOperationException("node is not installed");
        var stdout = await node.StandardOutput.ReadToEndAsync();
        var stderr = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        return node.ExitCode == 0 ? stdout : throw new InvalidOperationException($"data-segment failed: {stderr}");
    }
}
