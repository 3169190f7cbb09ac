using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GamePipeline.Tests.Lake;

/// <summary>
/// An in-process HDFS behind WebHDFS's documented REST API, in memory: a namenode (<c>/webhdfs/v1/…?op=</c>
/// CREATE, OPEN, RENAME, GETFILESTATUS, LISTSTATUS, DELETE, MKDIRS) that sends data operations to a datanode
/// under a host name nobody can resolve (as a datanode inside a container network looks from the host), either
/// as a 307 redirect or, with <c>noredirect=true</c>, as a JSON Location. Faults can be injected.
/// </summary>
public sealed class FakeWebHdfs : IAsyncDisposable
{
    public const string UnreachableDataNodeHost = "datanode.invalid";
    private WebApplication _app = null!;
    private readonly ConcurrentDictionary<string, byte[]> _files = new();
    private readonly ConcurrentDictionary<string, long> _modifiedAt = new();
    private readonly ConcurrentDictionary<string, bool> _directories = new() { ["/"] = true };
    private readonly Lock _namespaceLock = new();
    private int _failuresLeft;
    private int _failureStatus;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>False: the namenode ignores <c>noredirect</c> and always answers 307 (older Hadoop).</summary>
    public bool HonorsNoRedirect { get; set; } = true;

    public ConcurrentQueue<string> Users { get; } = new();

    /// <summary>The connection string of a lake rooted at <paramref name="root"/> on this fake.</summary>
    public string ConnectionString(string root) => $"webhdfs://{Endpoint.Authority}{root}?user=gamepipeline&datanode={Endpoint.Authority}";

    public IReadOnlyCollection<string> Files => [.. _files.Keys];

    public IReadOnlyCollection<string> Directories => [.. _directories.Keys];

    /// <summary>Copies the files under <paramref name="root"/> (the tables' logs and data files) into a local folder, for readers like DuckDB.</summary>
    public void CopyTablesTo(string root, string directory)
    {
        var prefix = root.TrimEnd('/') + "/";
        foreach (var (path, content) in _files.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var relative = path[prefix.Length..];
            var target = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, content);
        }
    }

    /// <summary>The next <paramref name="count"/> namenode calls fail with <paramref name="status"/> and a RemoteException.</summary>
    public void FailNext(int count, int status)
    {
        _failureStatus = status;
        Volatile.Write(ref _failuresLeft, count);
    }

    public static async Task<FakeWebHdfs> StartAsync()
    {
        var fake = new FakeWebHdfs();
        (fake._app, fake.Endpoint) = await InProcessHosts.StartWebAppAsync(app =>
        {
            app.Map("/webhdfs/v1/{**path}", fake.NameNode);
            app.Map("/datanode/webhdfs/v1/{**path}", fake.DataNode);
        });
        return fake;
    }

    private IResult NameNode(HttpContext context, string? path)
    {
        var file = "/" + (path ?? "");
        var query = context.Request.Query;
        Users.Enqueue(query["user.name"].ToString());
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            return RemoteException(_failureStatus, "StandbyException", "Operation category WRITE is not supported in state standby");
        }

        switch ((context.Request.Method, query["op"].ToString()))
        {
            case ("PUT", "CREATE"):
            case ("GET", "OPEN"):
                if (query["op"] == "OPEN" && !_files.ContainsKey(file))
                {
                    return FileNotFound(file);
                }

                var location = $"http://{UnreachableDataNodeHost}:{Endpoint.Port}/datanode/webhdfs/v1{file}{context.Request.QueryString}";
                if (HonorsNoRedirect && query["noredirect"] == "true")
                {
                    return Results.Json(new JsonObject { ["Location"] = location });
                }

                context.Response.Headers.Location = location;
                return Results.StatusCode(StatusCodes.Status307TemporaryRedirect);
            case ("PUT", "RENAME"):
                return Boolean(Rename(file, query["destination"].ToString()));
            case ("GET", "GETFILESTATUS"):
                return _files.TryGetValue(file, out var bytes) ? Results.Json(new JsonObject { ["FileStatus"] = Status("", "FILE", bytes.Length) })
                    : _directories.ContainsKey(file) ? Results.Json(new JsonObject { ["FileStatus"] = Status("", "DIRECTORY", 0) })
                    : FileNotFound(file);
            case ("GET", "LISTSTATUS"):
                if (!_directories.ContainsKey(file))
                {
                    return FileNotFound(file);
                }

                var prefix = file.TrimEnd('/') + "/";
                var children = new JsonArray();
                foreach (var (name, content) in _files.Where(f => IsChild(prefix, f.Key)).Select(f => (f.Key[prefix.Length..], f.Value)))
                {
                    children.Add(Status(name, "FILE", content.Length, _modifiedAt.GetValueOrDefault(prefix + name)));
                }

                foreach (var name in _directories.Keys.Where(d => IsChild(prefix, d)).Select(d => d[prefix.Length..]))
                {
                    children.Add(Status(name, "DIRECTORY", 0));
                }

                return Results.Json(new JsonObject { ["FileStatuses"] = new JsonObject { ["FileStatus"] = children } });
            case ("DELETE", "DELETE"):
                return Boolean(_files.TryRemove(file, out _));
            case ("PUT", "MKDIRS"):
                lock (_namespaceLock)
                {
                    CreateParents(file + "/x");
                }

                return Boolean(true);
            default:
                return RemoteException(400, "IllegalArgumentException", $"Invalid value for webhdfs parameter \"op\": {query["op"]}");
        }
    }

    private async Task<IResult> DataNode(HttpContext context, string? path)
    {
        if (context.Request.Host.Host == UnreachableDataNodeHost)
        {
            return Results.StatusCode(StatusCodes.Status421MisdirectedRequest);
        }

        var file = "/" + (path ?? "");
        if (context.Request.Method == "GET")
        {
            return _files.TryGetValue(file, out var content) ? Results.Bytes(content, "application/octet-stream") : FileNotFound(file);
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        lock (_namespaceLock)
        {
            CreateParents(file);
            _files[file] = body.ToArray();
            _modifiedAt[file] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        }

        return Results.Created(new Uri(Endpoint, $"/webhdfs/v1{file}"), null);
    }

    /// <summary>HDFS's rename: false when the source is missing or the destination exists.</summary>
    private bool Rename(string from, string to)
    {
        lock (_namespaceLock)
        {
            if (!_files.TryGetValue(from, out var content) || _files.ContainsKey(to) || _directories.ContainsKey(to)
                || !_directories.ContainsKey(to[..Math.Max(1, to.LastIndexOf('/'))]))
            {
                return false;
            }

            // A rename keeps the file's modification time, as HDFS's does.
            _files[to] = content;
            _modifiedAt[to] = _modifiedAt.GetValueOrDefault(from);
            _files.TryRemove(from, out _);
            _modifiedAt.TryRemove(from, out _);
            return true;
        }
    }

    private void CreateParents(string file)
    {
        for (var slash = file.IndexOf('/', 1); slash > 0; slash = file.IndexOf('/', slash + 1))
        {
            _directories[file[..slash]] = true;
        }
    }

    private static bool IsChild(string prefix, string path) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && path.Length > prefix.Length && !path.AsSpan(prefix.Length).Contains('/');

    private static JsonObject Status(string name, string type, long length, long modificationTime = 0) =>
        new() { ["pathSuffix"] = name, ["type"] = type, ["length"] = length, ["modificationTime"] = modificationTime, ["replication"] = 1 };

    private static IResult Boolean(bool value) => Results.Json(new JsonObject { ["boolean"] = value });

    private static IResult FileNotFound(string path) => RemoteException(404, "FileNotFoundException", $"File does not exist: {path}");

    private static IResult RemoteException(int status, string exception, string message) => Results.Json(
        new JsonObject { ["RemoteException"] = new JsonObject { ["exception"] = exception, ["javaClassName"] = $"org.apache.hadoop.{exception}", ["message"] = message } },
        statusCode: status);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
