namespace GamePipeline.Lake;

/// <summary>
/// Where the lake lives: a local directory (embedded topology) or HDFS. Paths are relative, '/'-separated.
/// The commit protocol needs only these operations, and one guarantee: <see cref="TryPublishAsync"/> is an
/// atomic rename that refuses to overwrite.
/// </summary>
public interface ILakeStorage
{
    /// <summary>A human-readable location (for logs and the dashboard).</summary>
    string Location { get; }

    /// <summary>Writes a complete file; when this returns the bytes are durable.</summary>
    Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken);

    /// <summary>Atomically renames <paramref name="from"/> to <paramref name="to"/>; false when <paramref name="to"/> exists.</summary>
    Task<bool> TryPublishAsync(string from, string to, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken);

    /// <summary>File names (not paths) directly under <paramref name="directory"/>; empty when it does not exist.</summary>
    Task<IReadOnlyList<string>> ListAsync(string directory, CancellationToken cancellationToken);

    /// <summary>The files directly under <paramref name="directory"/> with their sizes and modification times; empty when it does not exist.</summary>
    Task<IReadOnlyList<LakeFileStatus>> ListFilesAsync(string directory, CancellationToken cancellationToken);

    /// <summary>The names of the directories directly under <paramref name="directory"/>; empty when it does not exist.</summary>
    Task<IReadOnlyList<string>> ListDirectoriesAsync(string directory, CancellationToken cancellationToken);

    Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken);

    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>Creates the directory and its parents (a table's location must exist before a catalog registers it).</summary>
    Task CreateDirectoryAsync(string directory, CancellationToken cancellationToken);
}

/// <summary>A file of the lake as a listing shows it: its name (not path), size and last modification.</summary>
public sealed record LakeFileStatus(string Name, long Length, DateTimeOffset ModifiedAt);
