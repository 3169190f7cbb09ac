using System.Globalization;
using System.Text.Json;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

// lake.sh inspect PATH [--version N]: one JSON object on stdout, or a one-line reason on stderr and exit code 1
// (2 for a usage error). PATH is a table's folder, or a webhdfs:// URL of one.
const string Usage = "usage: lake.sh inspect PATH [--version N]   (PATH: a Delta table's folder, or webhdfs://namenode:9870/path?user=…)";

if (args is not ["inspect", var path, .. var options] || !TryParseVersion(options, out var version))
{
    Console.Error.WriteLine(Usage);
    return 2;
}

try
{
    var (storage, table) = Open(path);
    var summary = await DeltaTableSummary.ReadAsync(storage, table, version, CancellationToken.None);
    using var output = Console.OpenStandardOutput();
    await using (var json = new Utf8JsonWriter(output))
    {
        json.WriteStartObject();
        json.WriteNumber("version", summary.Version);
        json.WriteStartObject("protocol");
        json.WriteNumber("min_reader_version", summary.MinReaderVersion);
        json.WriteNumber("min_writer_version", summary.MinWriterVersion);
        json.WriteEndObject();
        json.WriteNumber("files", summary.Files);
        json.WriteNumber("rows", summary.Rows);
        json.WriteStartArray("columns");
        foreach (var column in summary.Columns)
        {
            json.WriteStringValue(column);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    output.Write("\n"u8);
    return 0;
}
catch (Exception e) when (e is DeltaTableException or IOException or UnauthorizedAccessException or HttpRequestException or InvalidDataException)
{
    Console.Error.WriteLine($"lake.sh inspect {path}: {e.Message.ReplaceLineEndings(" ")}");
    return 1;
}

// The storage's root is the table's parent folder, so that messages name the table by its folder.
static (ILakeStorage Storage, string Table) Open(string path)
{
    if (WebHdfsOptions.IsWebHdfs(path))
    {
        var options = WebHdfsOptions.Parse(path);
        var root = options.Root.TrimEnd('/');
        var slash = root.LastIndexOf('/');
        return (new WebHdfsLakeStorage(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }), options with { Root = slash > 0 ? root[..slash] : "/" }), root[(slash + 1)..]);
    }

    var table = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
    return (new LocalLakeStorage(Path.GetDirectoryName(table)!), Path.GetFileName(table));
}

static bool TryParseVersion(string[] options, out long? version)
{
    version = null;
    switch (options)
    {
        case []:
            return true;
        case ["--version", var text] when long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed):
            version = parsed;
            return true;
        default:
            return false;
    }
}
