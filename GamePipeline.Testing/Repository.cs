namespace GamePipeline.Testing;

/// <summary>Finds the repository and the build outputs of its services (to run them as real processes).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration these tests were built in, and so were the services.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string ServiceAssembly(string project) =>
        Path.Combine(Root, project, "bin", Configuration, "net10.0", $"{project}.dll");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GamePipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No GamePipeline.sln above {AppContext.BaseDirectory}");
    }
}
