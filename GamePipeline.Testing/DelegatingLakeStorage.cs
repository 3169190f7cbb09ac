using GamePipeline.Lake;

namespace GamePipeline.Testing;

/// <summary>A lake storage that passes every call to another; tests override the calls they watch or change.</summary>
public abstract class DelegatingLakeStorage(ILakeStorage inner) : ILakeStorage
{
    public string Location => inner.Location;

    public virtual Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken) => inner.WriteAsync(path, write, cancellationToken);

    public virtual Task<bool> TryPublishAsync(string from, string to, CancellationToken cancellationToken) => inner.TryPublishAsync(from, to, cancellationToken);

    public virtual Task<bool> ExistsAsync(string path, CancellationToken cancellationToken) => inner.ExistsAsync(path, cancellationToken);

    public virtual Task<IReadOnlyList<string>> ListAsync(string directory, CancellationToken cancellationToken) => inner.ListAsync(directory, cancellationToken);

    public virtual Task<IReadOnlyList<string>> ListDirectoriesAsync(string directory, CancellationToken cancellationToken) => inner.ListDirectoriesAsync(directory, cancellationToken);

    public virtual Task<IReadOnlyList<LakeFileStatus>> ListFilesAsync(string directory, CancellationToken cancellationToken) => inner.ListFilesAsync(directory, cancellationToken);

    public virtual Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken) => inner.ReadAsync(path, cancellationToken);

    public virtual Task DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public virtual Task CreateDirectoryAsync(string directory, CancellationToken cancellationToken) => inner.CreateDirectoryAsync(directory, cancellationToken);
}
