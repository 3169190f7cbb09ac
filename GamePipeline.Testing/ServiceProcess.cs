using System.Diagnostics;

namespace GamePipeline.Testing;

/// <summary>Runs one of the services' own builds as a process to completion (one-shot jobs).</summary>
public static class ServiceProcess
{
    public static Task<ProcessResult> RunToCompletionAsync(string project, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var variables = environment.Select(e => $"{e.Key}={e.Value}");
        return ExternalProcess.RunAsync("env", [.. variables, "dotnet", Repository.ServiceAssembly(project)], timeout);
    }
}
