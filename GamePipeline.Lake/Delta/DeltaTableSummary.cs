using Parquet;

namespace GamePipeline.Lake.Delta;

/// <summary>
/// What <c>scripts/lake.sh inspect</c> prints for a Delta table: version, protocol, live files, rows and columns.
/// Rows are counted from the data files of the snapshot (their Parquet footers), not taken from statistics.
/// </summary>
public sealed record DeltaTableSummary(long Version, int MinReaderVersion, int MinWriterVersion, int Files, long Rows, IReadOnlyList<string> Columns)
{
    public static async Task<DeltaTableSummary> ReadAsync(ILakeStorage storage, string table, long? version, CancellationToken cancellationToken)
    {
        var snapshot = await new DeltaLog(storage, table).ReadAsync(version, cancellationToken);
        long rows = 0;
        foreach (var file in snapshot.Files)
        {
            rows += await CountRowsAsync(storage, $"{snapshot.Table}/{file.StoragePath}", cancellationToken);
        }

        return new DeltaTableSummary(
            snapshot.Version,
            snapshot.Protocol.MinReaderVersion ?? 1,
            snapshot.Protocol.MinWriterVersion ?? 2,
            snapshot.FileCount,
            rows,
            [.. snapshot.Columns.Select(c => c.Name)]);
    }

    /// <summary>The rows of one Parquet file, from its footer.</summary>
    public static async Task<long> CountRowsAsync(ILakeStorage storage, string path, CancellationToken cancellationToken)
    {
        var bytes = await storage.ReadAsync(path, cancellationToken)
            ?? throw new DeltaTableException(DeltaReadFailure.CorruptLog, $"the snapshot lists {path}, which does not exist");
        using var stream = new MemoryStream(bytes, writable: false);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        return reader.RowGroups.Sum(group => group.RowCount);
    }
}
