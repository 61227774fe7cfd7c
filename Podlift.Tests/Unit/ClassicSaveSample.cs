namespace Podlift.Tests.Unit;

/// <summary>
/// The metadata of a real `docker save` (Docker 20.10.24, classic layout) of a 3-layer image built FROM scratch:
/// its layer diff ids, and each layer directory's v1 id with its json, byte for byte.
/// </summary>
internal static class ClassicSaveSample
{
    public static readonly string[] DiffIds =
    [
        "sha256:55ecead0354a7752a5393f5a6018ceeebafc68f5293922b111f1383acebdce88",
        "sha256:1509a8791177d1e0391e0cf55ce18b3e3a050d32fdf20b5f4c31e4f1cc0990e9",
        "sha256:4b4c369547c13f1152acf386f4e99bc72e9a57217c4295ceaa12ce6f8927c7d8",
    ];

    public static readonly string[] ChainIds =
    [
        "sha256:55ecead0354a7752a5393f5a6018ceeebafc68f5293922b111f1383acebdce88",
        "sha256:ccaada2767ffe9b1fa3e454a682d3798ad24c02d28b8737451a64df1de596be8",
        "sha256:5da78a8a5fc855a173eefd92c35a2435bc2421183c2d8863dedbad02b5c03f10",
    ];

    /// <summary>Bottom layer first; in the stream they come in name order (1a0a…, 5793…, ddf9…).</summary>
    public static readonly (string V1Id, string Json)[] Layers =
    [
        ("57933ad7dda6be9a3073ef61c4dc3ab2184ee68d38cff7818446e37e131f87d9",
            """
            {"id":"57933ad7dda6be9a3073ef61c4dc3ab2184ee68d38cff7818446e37e131f87d9","created":"1970-01-01T00:00:00Z","container_config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"os":"linux"}
            """),
        ("1a0a889692dfc42ae6a342398280890336943c91cc8afec1b75fec0cc0b3f6e8",
            """
            {"id":"1a0a889692dfc42ae6a342398280890336943c91cc8afec1b75fec0cc0b3f6e8","parent":"57933ad7dda6be9a3073ef61c4dc3ab2184ee68d38cff7818446e37e131f87d9","created":"1970-01-01T00:00:00Z","container_config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"os":"linux"}
            """),
        ("ddf9b398dbd9a07f8a21a2b98f11b2ee063f083ae123ef98896a1a4a5f740151",
            """
            {"id":"ddf9b398dbd9a07f8a21a2b98f11b2ee063f083ae123ef98896a1a4a5f740151","parent":"1a0a889692dfc42ae6a342398280890336943c91cc8afec1b75fec0cc0b3f6e8","created":"2026-11-28T04:23:41.633044741Z","container":"55a1c8c8d690adb18bf38577f6e35b0748812e719d4ce6cabd7d1053270c7b44","container_config":{"Hostname":"55a1c8c8d690","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh","-c","#(nop) ","CMD [\"/bin/busybox\" \"sleep\" \"1\"]"],"Image":"sha256:fcee8275548cf7e6d016b9a96beab58d88d3d083d26c4c20ec6ee350b4069544","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{}},"docker_version":"20.10.24+dfsg1","config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/busybox","sleep","1"],"Image":"sha256:fcee8275548cf7e6d016b9a96beab58d88d3d083d26c4c20ec6ee350b4069544","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"architecture":"amd64","os":"linux"}
            """),
    ];

    public const string ConfigName = "7dc031c956cf2dba52aa6eed05e478ecbbcca7937332dedb739c77e71e89a1b6.json";
}
