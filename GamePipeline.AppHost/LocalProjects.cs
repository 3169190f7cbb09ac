using System.Reflection;
using Aspire.Hosting.ApplicationModel;

namespace GamePipeline.AppHost;

/// <summary>How the AppHost starts the project resources on this machine.</summary>
internal static class LocalProjects
{
    private const string AssemblyMetadataPrefix = "ProjectAssembly:";

    /// <summary>
    /// Starts every project resource as <c>dotnet {its built assembly}</c>, one process per service. Aspire's default,
    /// <c>dotnet run --no-build --project …</c>, keeps a .NET SDK process alive beside each service for as long as it
    /// runs, which on a laptop costs more memory than the services themselves. The AppHost's build has built every
    /// project and recorded where its assembly is (the RecordProjectAssemblies target in the project file); a project
    /// whose assembly is missing keeps Aspire's default.
    /// </summary>
    public static IDistributedApplicationBuilder RunProjectsFromTheirBuildOutput(this IDistributedApplicationBuilder builder)
    {
        var assemblies = typeof(LocalProjects).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => a.Key.StartsWith(AssemblyMetadataPrefix, StringComparison.Ordinal) && a.Value is not null)
            .ToDictionary(a => a.Key[AssemblyMetadataPrefix.Length..], a => a.Value!, StringComparer.Ordinal);

        return builder.ForEachProject(project =>
        {
            var projectPath = project.GetProjectMetadata().ProjectPath;
            if (assemblies.TryGetValue(projectPath, out var assembly) && File.Exists(assembly))
            {
                project.Annotations.Add(new ExecutableAnnotation { Command = "dotnet", WorkingDirectory = Path.GetDirectoryName(projectPath)! });
                project.Annotations.Add(new CommandLineArgsCallbackAnnotation(args => args.Insert(0, assembly)));
            }
        });
    }

    /// <summary>
    /// Our services listen on plain http only. Aspire otherwise treats every project as a possible HTTPS server and,
    /// on a machine without a trusted ASP.NET Core development certificate, shows every dashboard page under an error
    /// banner about a certificate nothing here uses.
    /// </summary>
    public static IDistributedApplicationBuilder ServeProjectsOverPlainHttp(this IDistributedApplicationBuilder builder) =>
#pragma warning disable ASPIRECERTIFICATES001 // Experimental, and the only way to say that a resource serves no TLS.
        builder.ForEachProject(project =>
            project.Annotations.Add(new HttpsCertificateAnnotation { Certificate = null, UseDeveloperCertificate = false }));
#pragma warning restore ASPIRECERTIFICATES001

    private static IDistributedApplicationBuilder ForEachProject(this IDistributedApplicationBuilder builder, Action<ProjectResource> configure)
    {
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            foreach (var project in @event.Model.Resources.OfType<ProjectResource>())
            {
                configure(project);
            }

            return Task.CompletedTask;
        });
        return builder;
    }
}
