using System.Diagnostics;

namespace Granary.Tests.Interop;

/// <summary>Runs a Node.js script from tests/interop (an independent implementation) and returns its output.</summary>
internal static class NodeScript
{
    public static string Run(string folder, string script, IEnumerable<string> args)
    {
        var dir = Path.Combine(RepoRoot(), "tests", "interop", folder);
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            throw new InvalidOperationException($"{dir}/node_modules is missing: run ./test.sh (or tests/setup/30-npm.sh) to install the reference implementations");
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
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            throw new TimeoutException($"node {script} did not finish");
        }

        return process.ExitCode == 0 ? stdout.Result : throw new InvalidOperationException($"node {script} failed: {stderr.Result}");
    }

    private static string RepoRoot()
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
