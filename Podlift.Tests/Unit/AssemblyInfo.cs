// Podlift.Cli and Podlift.Agent are Linux-only; so are the tests that call them (silences CA1416).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
