using System.Net;
using System.Text;
using GamePipeline.Lake;

namespace GamePipeline.Tests.Lake;

/// <summary>The WebHDFS protocol details beyond the storage contract: redirects, users, errors.</summary>
public sealed class WebHdfsLakeStorageTests : IAsyncLifetime
{
    private FakeWebHdfs _hdfs = null!;
    private HttpClient _http = null!;
    private WebHdfsLakeStorage _storage = null!;

    public async ValueTask InitializeAsync()
    {
        _hdfs = await FakeWebHdfs.StartAsync();
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        _storage = new WebHdfsLakeStorage(_http, WebHdfsOptions.Parse(_hdfs.ConnectionString("/lake")));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _hdfs.DisposeAsync();
    }

    [Fact]
    public async Task A_namenode_that_answers_307_redirects_is_followed_to_the_rewritten_datanode_address()
    {
        _hdfs.HonorsNoRedirect = false;

        await _storage.WriteAsync("t/a.bin", s => s.WriteAsync("hello"u8.ToArray()).AsTask(), CancellationToken.None);

        Assert.Equal("hello", Encoding.UTF8.GetString((await _storage.ReadAsync("t/a.bin", CancellationToken.None))!));
        Assert.Contains("/lake/t/a.bin", _hdfs.Files);
    }

    [Fact]
    public async Task Without_the_datanode_override_the_unresolvable_datanode_name_fails_loudly()
    {
        var options = WebHdfsOptions.Parse(_hdfs.ConnectionString("/lake")) with { DataNodeAddress = null };
        var storage = new WebHdfsLakeStorage(_http, options);

        await Assert.ThrowsAsync<WebHdfsException>(() => storage.WriteAsync("t/b.bin", s => s.WriteAsync("x"u8.ToArray()).AsTask(), CancellationToken.None));
    }

    [Fact]
    public async Task Every_call_names_the_configured_hdfs_user()
    {
        await _storage.CreateDirectoryAsync("join_guilds", CancellationToken.None);
        await _storage.ListAsync("join_guilds", CancellationToken.None);

        Assert.All(_hdfs.Users, user => Assert.Equal("gamepipeline", user));
    }

    [Fact]
    public async Task A_remote_exception_surfaces_with_hdfs_exception_name_and_the_next_call_succeeds()
    {
        _hdfs.FailNext(1, 403);

        var error = await Assert.ThrowsAsync<WebHdfsException>(() => _storage.ListAsync("x", CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.Equal("StandbyException", error.RemoteException);
        Assert.Contains("standby", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _storage.ListAsync("x", CancellationToken.None));
    }

    [Theory]
    [InlineData("webhdfs://nn.example:9870/data/lake?user=etl&datanode=localhost:9864", "http://nn.example:9870/", "/data/lake", "etl", "localhost:9864")]
    [InlineData("swebhdfs://nn.example:9871/lake", "https://nn.example:9871/", "/lake", "root", null)]
    public void Connection_strings_name_the_namenode_root_user_and_datanode_override(string connectionString, string nameNode, string root, string user, string? dataNode)
    {
        Assert.Equal(new WebHdfsOptions(new Uri(nameNode), root, user, dataNode), WebHdfsOptions.Parse(connectionString));
    }
}
