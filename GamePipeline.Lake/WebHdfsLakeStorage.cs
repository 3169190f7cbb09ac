using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace GamePipeline.Lake;

/// <summary>
/// Where the lake is on HDFS, from a connection string
/// <c>webhdfs://namenode:9870/lake?user=etl&amp;datanode=localhost:9864</c> (<c>swebhdfs://</c> for HTTPS).
/// <c>datanode</c> replaces the address the namenode redirects to, for clients that cannot resolve the
/// datanodes' own names (services on a host in front of containers).
/// </summary>
public sealed record WebHdfsOptions(Uri NameNode, string Root, string User, string? DataNodeAddress)
{
    public static bool IsWebHdfs(string connectionString) =>
        connectionString.StartsWith("webhdfs://", StringComparison.OrdinalIgnoreCase)
        || connectionString.StartsWith("swebhdfs://", StringComparison.OrdinalIgnoreCase);

    public static WebHdfsOptions Parse(string connectionString)
    {
        var uri = new Uri(connectionString);
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        var scheme = uri.Scheme.Equals("swebhdfs", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
        return new WebHdfsOptions(
            new UriBuilder(scheme, uri.Host, uri.Port).Uri,
            uri.AbsolutePath.TrimEnd('/') is { Length: > 0 } root ? root : "/",
            query["user"] ?? "root",
            query["datanode"]);
    }
}

/// <summary>An HDFS error reported by WebHDFS as a <c>RemoteException</c> (or an unexpected HTTP status).</summary>
public sealed class WebHdfsException(string message, HttpStatusCode status, string? exception, Exception? inner = null) : IOException(message, inner)
{
    public HttpStatusCode Status { get; } = status;

    public string? RemoteException { get; } = exception;
}

/// <summary>
/// The lake on HDFS through its REST API, WebHDFS. Files are created in two steps (the namenode names a datanode,
/// asked with <c>noredirect=true</c>; a plain 307 works too), published by <c>RENAME</c> (atomic on the namenode,
/// and refused when the target exists) and found again with <c>LISTSTATUS</c>.
/// </summary>
public sealed class WebHdfsLakeStorage(HttpClient http, WebHdfsOptions options) : ILakeStorage
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _directories = new(StringComparer.Ordinal);

    public string Location => $"{options.NameNode}webhdfs/v1{options.Root} (user {options.User})";

    public async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        // Parquet needs a seekable stream, and a datanode wants a length: build the file in memory.
        using var buffer = new MemoryStream();
        await write(buffer);
        var target = await LocateAsync(HttpMethod.Put, Url(path, "CREATE", "overwrite=true"), cancellationToken);
        buffer.Position = 0;
        using var content = new StreamContent(buffer);
        content.Headers.ContentType = new("application/octet-stream");
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Put, target) { Content = content }, $"CREATE {path}", cancellationToken);
        await EnsureSuccessAsync(response, $"CREATE {path}", cancellationToken);
    }

    public async Task<bool> TryPublishAsync(string from, string to, CancellationToken cancellationToken)
    {
        var parent = ParentOf(to);
        await EnsureDirectoryAsync(parent, cancellationToken);
        var rename = Url(from, "RENAME", $"destination={Uri.EscapeDataString(FullPath(to))}");
        if (await BooleanAsync(HttpMethod.Put, rename, $"RENAME {from}", cancellationToken))
        {
            return true;
        }

        // HDFS only answers false. The target exists: the race we detect. The source is gone: an error.
        if (await ExistsAsync(to, cancellationToken))
        {
            return false;
        }

        if (!await ExistsAsync(from, cancellationToken))
        {
            throw new WebHdfsException($"RENAME {from} → {to}: the source does not exist", HttpStatusCode.NotFound, "FileNotFoundException");
        }

        // Neither: the target's folder is gone (someone removed it after we made it). Make it again, once.
        _directories.TryRemove(parent, out _);
        await EnsureDirectoryAsync(parent, cancellationToken);
        if (await BooleanAsync(HttpMethod.Put, rename, $"RENAME {from}", cancellationToken))
        {
            return true;
        }

        return await ExistsAsync(to, cancellationToken)
            ? false
            : throw new WebHdfsException($"RENAME {from} → {to} refused", HttpStatusCode.OK, null);
    }

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Url(path, "GETFILESTATUS")), $"GETFILESTATUS {path}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, $"GETFILESTATUS {path}", cancellationToken);
        return (await response.Content.ReadFromJsonAsync<FileStatusResponse>(cancellationToken))?.FileStatus?.Type == "FILE";
    }

    public async Task<IReadOnlyList<string>> ListAsync(string directory, CancellationToken cancellationToken) =>
        [.. (await ListFilesAsync(directory, cancellationToken)).Select(file => file.Name)];

    public async Task<IReadOnlyList<LakeFileStatus>> ListFilesAsync(string directory, CancellationToken cancellationToken) =>
        [
            .. (await ListStatusAsync(directory, cancellationToken)).Where(s => s.Type == "FILE")
                .Select(s => new LakeFileStatus(s.PathSuffix!, s.Length, DateTimeOffset.FromUnixTimeMilliseconds(s.ModificationTime))),
        ];

    public async Task<IReadOnlyList<string>> ListDirectoriesAsync(string directory, CancellationToken cancellationToken) =>
        [.. (await ListStatusAsync(directory, cancellationToken)).Where(s => s.Type == "DIRECTORY").Select(s => s.PathSuffix!)];

    private async Task<IReadOnlyList<FileStatus>> ListStatusAsync(string directory, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Url(directory, "LISTSTATUS")), $"LISTSTATUS {directory}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        await EnsureSuccessAsync(response, $"LISTSTATUS {directory}", cancellationToken);
        var listing = await response.Content.ReadFromJsonAsync<ListStatusResponse>(cancellationToken);
        return listing?.FileStatuses?.FileStatus ?? [];
    }

    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        Uri target;
        try
        {
            target = await LocateAsync(HttpMethod.Get, Url(path, "OPEN"), cancellationToken);
        }
        catch (WebHdfsException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, target), $"OPEN {path}", cancellationToken);
        await EnsureSuccessAsync(response, $"OPEN {path}", cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken) =>
        await BooleanAsync(HttpMethod.Delete, Url(path, "DELETE", "recursive=false"), $"DELETE {path}", cancellationToken);

    public async Task CreateDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        if (!await BooleanAsync(HttpMethod.Put, Url(directory, "MKDIRS"), $"MKDIRS {directory}", cancellationToken))
        {
            throw new WebHdfsException($"MKDIRS {directory} refused", HttpStatusCode.OK, null);
        }

        _directories.TryAdd(directory, true);
    }

    /// <summary>
    /// A publish needs its target folder; a writer publishes into the same few folders all day, so each is made
    /// (one namenode round trip) only the first time.
    /// </summary>
    private async Task EnsureDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        if (directory.Length > 0 && !_directories.ContainsKey(directory))
        {
            await CreateDirectoryAsync(directory, cancellationToken);
        }
    }

    private string FullPath(string path) => options.Root.TrimEnd('/') + "/" + path.TrimStart('/');

    private Uri Url(string path, string operation, string? more = null)
    {
        var escaped = string.Join('/', FullPath(path).Split('/').Select(Uri.EscapeDataString));
        var query = $"op={operation}&user.name={Uri.EscapeDataString(options.User)}" + (more is null ? "" : "&" + more);
        return new Uri(options.NameNode, $"webhdfs/v1{escaped}?{query}");
    }

    private static string ParentOf(string path) => path.LastIndexOf('/') is var slash and > 0 ? path[..slash] : "";

    /// <summary>Asks the namenode which datanode serves a CREATE or OPEN, without following the redirect blindly.</summary>
    private async Task<Uri> LocateAsync(HttpMethod method, Uri url, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(method, new Uri(url + "&noredirect=true")), $"{method} {url.AbsolutePath}", cancellationToken);
        Uri? location;
        if (response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.RedirectKeepVerb)
        {
            location = response.Headers.Location;
        }
        else
        {
            await EnsureSuccessAsync(response, $"{method} {url.AbsolutePath}", cancellationToken);
            location = (await response.Content.ReadFromJsonAsync<RedirectResponse>(cancellationToken))?.Location is { } text ? new Uri(text) : null;
        }

        if (location is null)
        {
            throw new WebHdfsException($"{url.AbsolutePath}: the namenode named no datanode", response.StatusCode, null);
        }

        return options.DataNodeAddress is { Length: > 0 } address
            ? new UriBuilder(location) { Host = address.Split(':')[0], Port = address.Contains(':') ? int.Parse(address.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) : location.Port }.Uri
            : location;
    }

    private async Task<bool> BooleanAsync(HttpMethod method, Uri url, string what, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(method, url), what, cancellationToken);
        await EnsureSuccessAsync(response, what, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<BooleanResponse>(cancellationToken))?.Boolean ?? false;
    }

    /// <summary>Sends the request; an unreachable or silent namenode/datanode is an <see cref="IOException"/> like any other lake failure.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                return await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new WebHdfsException($"{what}: {e.Message}", 0, null, e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new WebHdfsException($"{what}: no answer within {http.Timeout}", HttpStatusCode.RequestTimeout, null, e);
            }
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        RemoteExceptionResponse? error = null;
        try
        {
            error = await response.Content.ReadFromJsonAsync<RemoteExceptionResponse>(cancellationToken);
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a WebHDFS error body (a proxy's page): the status says enough.
        }

        throw new WebHdfsException(
            $"{what}: HTTP {(int)response.StatusCode}" + (error?.RemoteException is { } remote ? $" {remote.Exception}: {remote.Message}" : ""),
            response.StatusCode,
            error?.RemoteException?.Exception);
    }

    private sealed record RedirectResponse([property: JsonPropertyName("Location")] string? Location);

    private sealed record BooleanResponse([property: JsonPropertyName("boolean")] bool Boolean);

    private sealed record ListStatusResponse([property: JsonPropertyName("FileStatuses")] FileStatuses? FileStatuses);

    private sealed record FileStatuses([property: JsonPropertyName("FileStatus")] IReadOnlyList<FileStatus>? FileStatus);

    private sealed record FileStatus(
        [property: JsonPropertyName("pathSuffix")] string? PathSuffix,
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("length")] long Length = 0,
        [property: JsonPropertyName("modificationTime")] long ModificationTime = 0);

    private sealed record FileStatusResponse([property: JsonPropertyName("FileStatus")] FileStatus? FileStatus);

    private sealed record RemoteExceptionResponse([property: JsonPropertyName("RemoteException")] RemoteError? RemoteException);

    private sealed record RemoteError(
        [property: JsonPropertyName("exception")] string? Exception,
        [property: JsonPropertyName("message")] string? Message);
}
