namespace Granary.Silo.Tests.Support;

/// <summary>Finds the checkout (the folder holding Orleans.sln) and the built granary executable.</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    /// <summary>granary.dll from the same build configuration as this test assembly.</summary>
    public static string GranaryDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
            var dll = System.IO.Path.Combine(Path, "src", "Silo", "bin", configuration, "net10.0", "granary.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"granary.dll not built at {dll}");
        }
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Orleans.sln not found above the test assembly");
    }
}
