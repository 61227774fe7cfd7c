using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Podlift.Cli.Delivery;

/// <summary>One blob a push delivered, verified against its digest.</summary>
public sealed class Blob(string digest, long size, byte[]? bytes, string? path)
{
    public string Digest { get; } = digest;
    public long Size { get; } = size;

    public Stream Open() => bytes is not null ? new MemoryStream(bytes, writable: false) : File.OpenRead(path!);
}

/// <summary>
/// The blobs of one push, on this machine only: up to <see cref="InMemoryLimit"/> each in memory (an app's
/// changed layers), larger ones in a private temporary directory (mode 0700, removed on dispose). Each blob
/// is hashed as it arrives and kept only if it matches the digest the pusher names.
/// </summary>
public sealed class BlobStore : IDisposable
{
    public const int InMemoryLimit = 16 << 20;
    private readonly ConcurrentDictionary<string, Blob> _blobs = new(StringComparer.Ordinal);
    private readonly Lazy<string> _directory = new(() => Directory.CreateTempSubdirectory("podlift-push-").FullName);
    private readonly int _inMemoryLimit;

    public BlobStore(int inMemoryLimit = InMemoryLimit) => _inMemoryLimit = inMemoryLimit;

    public Upload Begin() => new(this);

    public Blob? Find(string digest) => _blobs.GetValueOrDefault(digest);

    public int Count => _blobs.Count;

    public void Dispose()
    {
        if (_directory.IsValueCreated && Directory.Exists(_directory.Value)) Directory.Delete(_directory.Value, recursive: true);
    }

    /// <summary>A blob being uploaded in one or more parts.</summary>
    public sealed class Upload(BlobStore store) : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private MemoryStream? _memory = new();
        private FileStream? _file;

        public long Length { get; private set; }

        public async Task AppendAsync(Stream part, CancellationToken cancellationToken)
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await part.ReadAsync(buffer, cancellationToken)) > 0)
            {
                _hash.AppendData(buffer, 0, read);
                Length += read;
                if (_memory is not null && Length > store._inMemoryLimit)
                {
                    _file = new FileStream(Path.Combine(store._directory.Value, Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite,
                        FileShare.Read, 1 << 16, FileOptions.Asynchronous);
                    await _file.WriteAsync(_memory.GetBuffer().AsMemory(0, (int)_memory.Length), cancellationToken);
                    _memory = null;
                }
                if (_memory is not null) _memory.Write(buffer, 0, read);
                else await _file!.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }

        /// <summary>Keeps the blob if its content has this digest; null if it has not (the upload is then dropped).</summary>
        public async Task<Blob?> CommitAsync(string digest, CancellationToken cancellationToken)
        {
            var actual = "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
            string? path = null;
            if (_file is not null)
            {
                await _file.FlushAsync(cancellationToken);
                path = _file.Name;
                await _file.DisposeAsync();
                _file = null;
            }
            if (actual != digest)
            {
                if (path is not null) File.Delete(path);
                return null;
            }
            var blob = new Blob(digest, Length, _memory?.ToArray(), path);
            _memory = null;
            return store._blobs.GetOrAdd(digest, blob);
        }

        public void Dispose()
        {
            _hash.Dispose();
            if (_file is null) return;
            var path = _file.Name;
            _file.Dispose();
            File.Delete(path);
        }
    }
}
