using System.Diagnostics;
using System.Text.Json;

namespace Granary.Gateway.Tests;

/// <summary>The repo's test vectors and the Node.js reference scripts (tests/interop/filecoin: @ipld/car, @ipld/dag-cbor).</summary>
internal static class PieceTestFiles
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Vector(string name) => Path.Combine(RepoRoot, "tests", "vectors", name);

    /// <summary>Runs <c>node SCRIPT ARGS</c> in tests/interop/filecoin and parses its one JSON line of output.</summary>
    public static JsonElement Node(string script, params string[] args)
    {
        var dir = Path.Combine(RepoRoot, "tests", "interop", "filecoin");
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            throw new InvalidOperationException($"{dir}/node_modules is missing: run tests/setup/30-npm.sh to install the reference implementations");
        }

        var info = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("node is not installed");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException($"node {script} did not finish");
        }

        return process.ExitCode == 0
            ? JsonDocument.Parse(stdout.Result).RootElement.Clone()
            : throw new InvalidOperationException($"node {script} failed: {stderr.Result}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Orleans.sln not found above the test assembly");
    }
}
