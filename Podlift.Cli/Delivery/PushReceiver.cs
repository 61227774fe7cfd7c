using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Podlift.Cli.Delivery;

/// <summary>One HTTP request of a push, as the receiver needs it.</summary>
/// <param name="Digest">The ?digest= of a request that completes an upload.</param>
public sealed record RegistryRequest(string Method, string Path, string? Digest, Stream Body);

/// <param name="ContentLength">What a HEAD answers as the blob's length (it sends no body).</param>
public sealed record RegistryResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, long? ContentLength = null)
{
    public static RegistryResponse Of(int status, params (string Name, string Value)[] headers) =>
        new(status, headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase), []);
}

/// <summary>
/// The receiving end of `docker push` of one image, as much of the registry API (distribution spec) as a push
/// uses: the version check, blob existence (HEAD), blob uploads (POST, PATCH, PUT ?digest=) and the manifest
/// (PUT). Nothing is ever served back.
///
/// Docker asks about a layer (HEAD) only when it holds a digest for it, from an earlier pull or push, and
/// uploads nothing for it if the answer is yes; every other layer it uploads, compressed, among them every
/// freshly built one. Which answer a layer gets is <paramref name="present"/>'s call (see <see cref="BlobAnswer"/>);
/// the manifest then says which digest is which layer. The config is never "there", so the push always brings
/// it. Docker names no repository but <paramref name="repository"/>.
/// </summary>
public sealed partial class PushReceiver(string repository, string configDigest, BlobStore blobs, Func<string, CancellationToken, Task<bool>> present)
{
    private readonly ConcurrentDictionary<string, BlobStore.Upload> _uploads = new(StringComparer.Ordinal);
    private volatile RegistryManifest? _manifest;

    /// <summary>The manifest Docker put last; null before it put one.</summary>
    public RegistryManifest? Manifest => _manifest;

    [GeneratedRegex("^/v2/?$")]
    private static partial Regex VersionCheck();

    [GeneratedRegex("^/v2/(?<name>.+)/blobs/(?<digest>sha256:[0-9a-f]{64})$")]
    private static partial Regex BlobPath();

    [GeneratedRegex("^/v2/(?<name>.+)/blobs/uploads/?$")]
    private static partial Regex UploadsPath();

    [GeneratedRegex("^/v2/(?<name>.+)/blobs/uploads/(?<id>[0-9a-f]{32})$")]
    private static partial Regex UploadPath();

    [GeneratedRegex("^/v2/(?<name>.+)/manifests/(?<reference>[A-Za-z0-9_.:-]+)$")]
    private static partial Regex ManifestPath();

    public async Task<RegistryResponse> HandleAsync(RegistryRequest request, CancellationToken cancellationToken)
    {
        var (method, path) = (request.Method, request.Path);
        if (VersionCheck().IsMatch(path))
            return method is "GET" or "HEAD" ? Json(200, "{}") : Error(405, "UNSUPPORTED", "method not allowed");
        if (FirstMatch(path, BlobPath(), UploadsPath(), UploadPath(), ManifestPath()) is not var (route, match))
            return Error(404, "UNSUPPORTED", "not part of the push API");
        if (match.Groups["name"].Value != repository)
            return Error(404, "NAME_UNKNOWN", "repository name not known to registry");

        return (route, method) switch
        {
            (0, "HEAD") => await ExistsAsync(match.Groups["digest"].Value, cancellationToken),
            (1, "POST") => Begin(),
            (2, "PATCH") => await AppendAsync(match.Groups["id"].Value, request.Body, cancellationToken),
            (2, "PUT") => await CompleteAsync(match.Groups["id"].Value, request.Digest, request.Body, cancellationToken),
            (2, "DELETE") => Cancel(match.Groups["id"].Value),
            (3, "PUT") => await PutManifestAsync(request.Body, cancellationToken),
            (0, "GET") or (3, "HEAD") or (3, "GET") => Error(404, "BLOB_UNKNOWN", "this registry serves nothing back"),
            _ => Error(405, "UNSUPPORTED", "method not allowed"),
        };
    }

    private async Task<RegistryResponse> ExistsAsync(string digest, CancellationToken cancellationToken)
    {
        if (blobs.Find(digest) is { } blob) return Present(digest, blob.Size);
        if (digest == configDigest || !await present(digest, cancellationToken)) return Error(404, "BLOB_UNKNOWN", "blob unknown to registry");
        return Present(digest, 0); // its size is not known here, and nothing reads it
    }

    private RegistryResponse Begin()
    {
        var id = Guid.NewGuid().ToString("N");
        _uploads[id] = blobs.Begin();
        return UploadStatus(id, 0, 202);
    }

    private async Task<RegistryResponse> AppendAsync(string id, Stream body, CancellationToken cancellationToken)
    {
        if (!_uploads.TryGetValue(id, out var upload)) return Error(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
        await upload.AppendAsync(body, cancellationToken);
        return UploadStatus(id, upload.Length, 202);
    }

    private async Task<RegistryResponse> CompleteAsync(string id, string? digest, Stream body, CancellationToken cancellationToken)
    {
        if (!_uploads.TryRemove(id, out var upload)) return Error(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
        using (upload)
        {
            if (digest is null || !RegistryManifest.Digest().IsMatch(digest)) return Error(400, "DIGEST_INVALID", "the upload names no sha256 digest");
            await upload.AppendAsync(body, cancellationToken);
            if (await upload.CommitAsync(digest, cancellationToken) is not { } blob) return Error(400, "DIGEST_INVALID", "provided digest did not match uploaded content");
            return RegistryResponse.Of(201, ("Location", $"/v2/{repository}/blobs/{blob.Digest}"), ("Docker-Content-Digest", blob.Digest));
        }
    }

    private RegistryResponse Cancel(string id)
    {
        if (_uploads.TryRemove(id, out var upload)) upload.Dispose();
        return RegistryResponse.Of(204);
    }

    private async Task<RegistryResponse> PutManifestAsync(Stream body, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy, cancellationToken);
        RegistryManifest manifest;
        try
        {
            manifest = RegistryManifest.Parse(copy.GetBuffer().AsSpan(0, (int)copy.Length));
        }
        catch (InvalidDataException e)
        {
            return Error(400, "MANIFEST_INVALID", e.Message); // Docker then fails the push, and the image goes another way
        }
        _manifest = manifest;
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(copy.GetBuffer().AsSpan(0, (int)copy.Length)));
        return RegistryResponse.Of(201, ("Location", $"/v2/{repository}/manifests/{digest}"), ("Docker-Content-Digest", digest));
    }

    private static RegistryResponse Present(string digest, long size) =>
        RegistryResponse.Of(200, ("Docker-Content-Digest", digest), ("Content-Type", "application/octet-stream")) with { ContentLength = size };

    private RegistryResponse UploadStatus(string id, long length, int status) => RegistryResponse.Of(status,
        ("Location", $"/v2/{repository}/blobs/uploads/{id}"), ("Docker-Upload-UUID", id), ("Range", $"0-{Math.Max(length - 1, 0)}"));

    private static RegistryResponse Json(int status, string json) =>
        RegistryResponse.Of(status, ("Content-Type", "application/json"), ("Docker-Distribution-API-Version", "registry/2.0")) with { Body = Encoding.UTF8.GetBytes(json) };

    private static RegistryResponse Error(int status, string code, string message) =>
        Json(status, $$"""{"errors":[{"code":"{{code}}","message":"{{message}}"}]}""");

    private static (int Route, Match Match)? FirstMatch(string path, params Regex[] routes)
    {
        for (var i = 0; i < routes.Length; i++)
            if (routes[i].Match(path) is { Success: true } match) return (i, match);
        return null;
    }
}
