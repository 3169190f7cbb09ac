using GamePipeline.Contracts;
using GamePipeline.Lake;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class LakeStorageExtensions
{
    /// <summary>
    /// Registers the lake named by connection string <c>lake</c>: a <c>webhdfs://</c> (or <c>swebhdfs://</c>) URL
    /// is HDFS through WebHDFS; anything else is a local directory (a path or a file:// URI).
    /// </summary>
    public static IHostApplicationBuilder AddLakeStorage(this IHostApplicationBuilder builder)
    {
        var lake = PipelineConnections.Required(builder.Configuration, ResourceNames.Lake);
        if (WebHdfsOptions.IsWebHdfs(lake))
        {
            builder.Services.AddSingleton(WebHdfsOptions.Parse(lake));
            // Redirects are handled by the storage (it may rewrite the datanode's address); failed lake calls are
            // retried by the callers' own commit protocol, which knows what is safe to repeat.
            builder.Services.AddProtocolHttpClient<WebHdfsLakeStorage>(TimeSpan.FromMinutes(5), followRedirects: false);
            builder.Services.AddSingleton<ILakeStorage>(sp => sp.GetRequiredService<WebHdfsLakeStorage>());
        }
        else
        {
            builder.Services.AddSingleton<ILakeStorage>(_ => new LocalLakeStorage(PipelineConnections.Directory(builder.Configuration, ResourceNames.Lake)));
        }

        return builder;
    }
}
