using System.Text.Json;

namespace GamePipeline.Tests.Delta;

/// <summary><c>scripts/lake.sh inspect</c>, run as users and scripts run it, on Spark's golden tables.</summary>
public sealed class LakeScriptTests
{
    private static readonly string Golden = Path.Combine(Repository.Root, "testdata", "delta", "golden-tables");

    private static Task<ProcessResult> InspectAsync(params string[] arguments) =>
        ExternalProcess.RunAsync("bash", [Path.Combine(Repository.Root, "scripts", "lake.sh"), "inspect", .. arguments], TimeSpan.FromMinutes(2));

    [Fact]
    public async Task Inspect_prints_version_protocol_files_rows_and_columns_of_a_table_read_through_its_checkpoint()
    {
        var result = await InspectAsync(Path.Combine(Golden, "basic-with-inserts-deletes-checkpoint"));

        Assert.True(result.ExitCode == 0, result.StandardError);
        using var json = JsonDocument.Parse(result.StandardOutput);
        var table = json.RootElement;
        Assert.Equal(13, table.GetProperty("version").GetInt64());
        Assert.Equal(1, table.GetProperty("protocol").GetProperty("min_reader_version").GetInt32());
        Assert.Equal(2, table.GetProperty("protocol").GetProperty("min_writer_version").GetInt32());
        Assert.Equal(7, table.GetProperty("files").GetInt32());
        Assert.Equal(41, table.GetProperty("rows").GetInt64());
        Assert.Equal(["id"], table.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Inspect_reads_an_older_version_when_asked()
    {
        var result = await InspectAsync(Path.Combine(Golden, "time-travel-start-start20-start40"), "--version", "1");

        Assert.True(result.ExitCode == 0, result.StandardError);
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt64());
        Assert.Equal(20, json.RootElement.GetProperty("rows").GetInt64());
    }

    [Theory]
    [InlineData("versions-not-contiguous", "version 1 is missing")]
    [InlineData("deltalog-invalid-protocol-version", "reader version 99")]
    [InlineData("no-such-table", "is not a Delta table")]
    public async Task A_table_it_cannot_read_correctly_fails_with_one_line_saying_why(string table, string reason)
    {
        var result = await InspectAsync(Path.Combine(Golden, table));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(reason, line);
    }
}
