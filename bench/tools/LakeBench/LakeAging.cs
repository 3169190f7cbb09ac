using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using GamePipeline.Sql;

/// <summary>bench/lake/run.sh: a steady stream through GameApi, the lake's files per minute, and a one-file copy to compare with.</summary>
internal static class LakeAging
{
    // The seed's scenario: three users, each on the three routes.
    private static readonly string[] Hosts = ["user1.comcast.com", "user2.att.com", "user3.gogov.com"];
    private static readonly string[] Routes = ["/", "/purchase_a_sword", "/join_the_guild"];

    /// <summary>GET requests at <paramref name="rate"/> a second for <paramref name="seconds"/>, spread over the seed's hosts and routes.</summary>
    public static async Task<int> Stream(string baseUrl, int rate, int seconds)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(baseUrl) };
        using var concurrency = new SemaphoreSlim(64);
        long sent = 0, ok = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        var requests = new List<Task>();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var due = (long)(clock.Elapsed.TotalSeconds * rate); sent < due; sent++)
            {
                await concurrency.WaitAsync();
                var n = sent;
                requests.Add(Task.Run(async () =>
                {
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Get, Routes[n % Routes.Length]);
                        request.Headers.Host = Hosts[n / Routes.Length % Hosts.Length];
                        using var response = await http.SendAsync(request);
                        Interlocked.Increment(ref response.IsSuccessStatusCode ? ref ok : ref failed);
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                    finally
                    {
                        concurrency.Release();
                    }
                }));
            }

            if (requests.Count > 10_000)
            {
                requests.RemoveAll(t => t.IsCompleted);
            }

            await Task.Delay(5);
        }

        await Task.WhenAll(requests);
        Console.WriteLine($"stream: {sent:N0} requests in {clock.Elapsed.TotalSeconds:0} s ({sent / clock.Elapsed.TotalSeconds:N0}/s), {ok:N0} 2xx, {failed:N0} failed");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>Per table: its version, live data files (and the most in one date partition), and the files of its log.</summary>
    public static async Task<int> Files(string lake)
    {
        var storage = new LocalLakeStorage(lake);
        foreach (var table in LakeTables.All)
        {
            try
            {
                var snapshot = await new DeltaLog(storage, table.Name).ReadAsync();
                var perDay = snapshot.Files.GroupBy(f => f.PartitionValues.GetValueOrDefault(LakeTables.PartitionColumn)).Select(g => g.Count()).DefaultIfEmpty(0).Max();
                var logFiles = (await storage.ListAsync($"{table.Name}/{DeltaLogFiles.LogDirectory}", CancellationToken.None)).Count;
                Console.WriteLine($"  {table.Name,-16} version {snapshot.Version,6}  live files {snapshot.FileCount,4} (most in one day {perDay,4})  log files {logFiles,6}");
            }
            catch (DeltaTableException e)
            {
                Console.WriteLine($"  {table.Name,-16} {e.Message}");
            }
        }

        return 0;
    }

    /// <summary>
    /// What the table's file layout costs the seed's GROUP BY host: DuckDB runs it over the files of the table's
    /// current snapshot and over the same rows copied into one file, alternating, <paramref name="runs"/> times each;
    /// prints both medians and their ratio.
    /// </summary>
    public static async Task<int> LayoutCost(string lake, string table, int runs)
    {
        var snapshot = await new DeltaLog(new LocalLakeStorage(lake), table).ReadAsync();
        var scratch = Directory.CreateTempSubdirectory("layout-cost-");
        try
        {
            // Both sides are read as AnalyticsApi reads a table: the SQL of a Delta snapshot's files.
            var copy = await CopyToOneFileAsync(lake, table, scratch.FullName);
            using var connection = new DuckDBConnection("Data Source=:memory:");
            connection.Open();
            Execute(connection, "SET parquet_metadata_cache = true"); // as AnalyticsApi's engine reads
            var asLaidSql = DeltaSnapshotSql.Select(Path.Combine(lake, table), snapshot);
            var oneFileSql = DeltaSnapshotSql.Select(Path.Combine(scratch.FullName, table), copy);
            var asLaid = new List<double>();
            var oneFile = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                asLaid.Add(Time(connection, $"SELECT host, COUNT(*) AS requests FROM ({asLaidSql}) GROUP BY host ORDER BY requests DESC, host"));
                oneFile.Add(Time(connection, $"SELECT host, COUNT(*) AS requests FROM ({oneFileSql}) GROUP BY host ORDER BY requests DESC, host"));
            }

            var (laid, one) = (Median(asLaid), Median(oneFile));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  GROUP BY host in DuckDB, median of {runs}: {snapshot.FileCount} live files {laid:0.0} ms, the same rows in one file {one:0.0} ms ({laid / one:0.00}×)"));
            return 0;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static double Time(DuckDBConnection connection, string sql)
    {
        var clock = Stopwatch.StartNew();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>
    /// A lake at <paramref name="output"/> whose <paramref name="table"/> holds the rows of the same table in
    /// <paramref name="lake"/> as one file per date partition (sorted by event time, as compaction writes them).
    /// </summary>
    public static async Task<int> OneFile(string lake, string table, string output)
    {
        var copy = await CopyToOneFileAsync(lake, table, output);
        Console.WriteLine($"one-file copy of {table}: {copy.FileCount} file(s) at {output}");
        return 0;
    }

    /// <summary>The table's current rows as a Delta table in lake <paramref name="output"/> of one file per date partition.</summary>
    private static async Task<DeltaSnapshot> CopyToOneFileAsync(string lake, string table, string output)
    {
        var lakeTable = LakeTables.Find(table) ?? throw new ArgumentException($"no lake table {table}");
        var snapshot = await new DeltaLog(new LocalLakeStorage(lake), table).ReadAsync();
        var committer = new DeltaCommitter(new LocalLakeStorage(output), table, LakeDeltaTables.Definition(lakeTable));
        var rewriter = new ParquetRewriter(new LocalLakeStorage(lake));
        var adds = new List<AddAction>();
        foreach (var day in snapshot.Files.GroupBy(f => f.PartitionValues[LakeTables.PartitionColumn]!))
        {
            // Written beside the source table by the rewriter, then moved to the copy.
            var file = await rewriter.RewriteAsync(lakeTable, day.Key, [.. day], "event_time", CancellationToken.None);
            var target = Path.Combine(output, table, file.Add.Path!);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(Path.Combine(lake, table, file.Add.Path!), target);
            file.Add.DataChange = true;
            adds.Add(file.Add);
        }

        await committer.AppendAsync(adds, [], "WRITE", CancellationToken.None);
        return committer.Snapshot!;
    }
}
