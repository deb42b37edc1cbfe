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

    /// <summary>Starts a script that answers one JSON line per request line, for many calls without restarting node.</summary>
    public static NodeSession Start(string folder, string script)
    {
        var dir = Path.Combine(RepoRoot(), "tests", "interop", folder);
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            throw new InvalidOperationException($"{dir}/node_modules is missing: run ./test.sh (or tests/setup/30-npm.sh) to install the reference implementations");
        }

        var info = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        return new NodeSession(Process.Start(info) ?? throw new InvalidOperationException("node is not installed"));
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

/// <summary>A running node script spoken to in JSON lines.</summary>
internal sealed class NodeSession(Process process) : IDisposable
{
    public System.Text.Json.JsonElement Call(object request)
    {
        process.StandardInput.WriteLine(System.Text.Json.JsonSerializer.Serialize(request));
        process.StandardInput.Flush();
        var line = process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"node exited: {process.StandardError.ReadToEnd()}");
        return System.Text.Json.JsonDocument.Parse(line).RootElement.Clone();
    }

    public void Dispose()
    {
        process.StandardInput.Close();
        if (!process.WaitForExit(5000))
        {
            process.Kill();
        }

        process.Dispose();
    }
}
