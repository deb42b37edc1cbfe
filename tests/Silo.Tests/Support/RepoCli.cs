namespace Granary.Silo.Tests.Support;

/// <summary>Runs a <c>granary</c> CLI command against a repo and requires it to succeed.</summary>
public static class RepoCli
{
    /// <summary>The command's output (stdout and stderr); fails the test on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string repo, params string[] args)
    {
        var (code, output) = await GranaryProcess.RunAsync([.. args, "--repo", repo]);
        Assert.True(code == 0, $"granary {string.Join(' ', args)} exited with {code}:\n{output}");
        return output;
    }
}
