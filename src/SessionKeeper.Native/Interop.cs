namespace SessionKeeper.Native;

/// <summary>
/// All libc and raw system-call imports of SessionKeeper. One native function (or one family of
/// requests) per <c>Interop.&lt;Name&gt;.cs</c> file: the raw import, plus the wrapper that owns
/// the EINTR loop, buffer growth and conversion to SafeHandles. Only this assembly declares
/// <c>LibraryImport</c>s.
/// </summary>
public static partial class Interop
{
    /// <summary>The C library every import binds to.</summary>
    internal const string Libc = "libc";
}
