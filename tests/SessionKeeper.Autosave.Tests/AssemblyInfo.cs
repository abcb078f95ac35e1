// keeper is Linux-only; the tests make scripts executable and FIFOs.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
