using Podlift.Protocol;

namespace Podlift.Agent.Rpc.Validation;

/// <summary>The rules of the image requests: status, layers, push header, registry pull.</summary>
public static class ImageRules
{
    public static FieldChecks Status(FieldChecks check, ImageStatusRequest request) => check.Image("image", request.Image);

    public static FieldChecks MissingLayers(FieldChecks check, MissingLayersRequest request)
    {
        check.Image("image", request.Image).AtMost("chain_ids", request.ChainIds.Count, RequestLimits.Entries);
        for (var i = 0; i < request.ChainIds.Count; i++)
            check.Require(LayerChain.IsChainId(request.ChainIds[i]), $"chain_ids[{i}]", "must be sha256: and 64 lowercase hex digits", request.ChainIds[i]);
        return check;
    }

    /// <summary>Only the header says anything; data chunks are the image's bytes.</summary>
    public static FieldChecks Chunk(FieldChecks check, ImageChunk chunk) =>
        chunk.Header is { } header
            ? check.Image("header.image", header.Image)
                .Between("header.total_bytes", header.TotalBytes, 0, long.MaxValue)
                .Between("header.omitted_layers", header.OmittedLayers, 0, RequestLimits.Entries)
            : check;

    /// <summary>The login is used for this pull only; its password is never shown, not even in a refusal.</summary>
    public static FieldChecks Pull(FieldChecks check, PullImageRequest request)
    {
        check.Image("reference", request.Reference).Image("image", request.Image);
        if (request.Login is not { } login) return check;
        if (login.Server.Length > 0) check.RegistryServer("login.server", login.Server);
        return check.Line("login.username", login.Username, RequestLimits.ShortLine).Secret("login.password", login.Password, RequestLimits.Password);
    }
}
