// keeper is Linux-only; the tests set Unix file modes on their socket directories.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
