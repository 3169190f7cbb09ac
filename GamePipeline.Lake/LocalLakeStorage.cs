namespace GamePipeline.Lake;

/// <summary>The lake as a local directory. Files are fsync'ed before they are published by rename.</summary>
public sealed class LocalLakeStorage(string root) : ILakeStorage
{
    private readonly string _root = Path.GetFullPath(root);

    public string Location => _root;

    private string Full(string path) => Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar));

    public async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var full = Full(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await using var file = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        await write(new SynchronousWriteStream(file));
        cancellationToken.ThrowIfCancellationRequested();
        file.Flush(flushToDisk: true);
    }

    public Task<bool> TryPublishAsync(string from, string to, CancellationToken cancellationToken)
    {
        var target = Full(to);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        return Task.FromResult(NoReplaceMove.TryMove(Full(from), target));
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken) => Task.FromResult(File.Exists(Full(path)));

    /// <summary>Names only: no status read per file (the commit path lists folders of hundreds of files).</summary>
    public Task<IReadOnlyList<string>> ListAsync(string directory, CancellationToken cancellationToken)
    {
        var full = Full(directory);
        IReadOnlyList<string> names = Directory.Exists(full) ? [.. Directory.EnumerateFiles(full).Select(Path.GetFileName).OfType<string>()] : [];
        return Task.FromResult(names);
    }

    public Task<IReadOnlyList<string>> ListDirectoriesAsync(string directory, CancellationToken cancellationToken)
    {
        var full = Full(directory);
        IReadOnlyList<string> names = Directory.Exists(full) ? [.. Directory.EnumerateDirectories(full).Select(Path.GetFileName).OfType<string>()] : [];
        return Task.FromResult(names);
    }

    public Task<IReadOnlyList<LakeFileStatus>> ListFilesAsync(string directory, CancellationToken cancellationToken)
    {
        var full = new DirectoryInfo(Full(directory));
        var files = new List<LakeFileStatus>();
        if (full.Exists)
        {
            foreach (var file in full.EnumerateFiles())
            {
                try
                {
                    files.Add(new LakeFileStatus(file.Name, file.Length, file.LastWriteTimeUtc));
                }
                catch (FileNotFoundException)
                {
                    // Removed between listing and reading its status (another writer's temporary file): not there.
                }
            }
        }

        return Task.FromResult<IReadOnlyList<LakeFileStatus>>(files);
    }

    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var full = Full(path);
        return File.Exists(full) ? await File.ReadAllBytesAsync(full, cancellationToken) : null;
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        File.Delete(Full(path));
        return Task.CompletedTask;
    }

    public Task CreateDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Full(directory));
        return Task.CompletedTask;
    }
}
