using SessionKeeper.Images.V1;
using SessionKeeper.Native;

namespace SessionKeeper.Engine.Restore;

/// <summary>Files whose contents the images carry: unlinked files and tmpfs files.</summary>
internal static class SavedContents
{
    private const uint PermissionBits = 0xfff;

    /// <summary>
    /// Recreates an unlinked file from its saved contents under its old name, so that the
    /// process that opens it sees "NAME (deleted)" again once it is unlinked. When the name is
    /// taken by a newer file, the copy is swapped with it (RENAME_EXCHANGE) only for as long as
    /// the open takes. Dispose unlinks the copy and puts the newer file back.
    /// </summary>
    public static Ghost CreateGhost(RegularFile file)
    {
        string? directory = Path.GetDirectoryName(file.Path);
        if (directory is null || !Directory.Exists(directory))
        {
            // The directory is gone too: the name cannot be had; any private name will do.
            string elsewhere = Path.Combine(Path.GetTempPath(), $"keeper-ghost-{Guid.NewGuid():N}");
            Recreate(file, elsewhere);
            return new Ghost(elsewhere, null);
        }
        if (!Path.Exists(file.Path))
        {
            Recreate(file, file.Path);
            return new Ghost(file.Path, null);
        }
        string aside = $"{file.Path}.keeper-ghost-{Guid.NewGuid():N}";
        Recreate(file, aside);
        Interop.Rename(aside, file.Path, Interop.RenameExchange);
        return new Ghost(file.Path, aside);
    }

    /// <summary>Creates <paramref name="path"/> (which must not exist) with the saved contents and permission bits.</summary>
    public static void Recreate(RegularFile file, string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (file.Identity is { } identity && OperatingSystem.IsLinux())
        {
            options.UnixCreateMode = (UnixFileMode)(identity.Mode & PermissionBits);
        }
        using var stream = new FileStream(path, options);
        if (file.Contents is { LocationCase: ContentRef.LocationOneofCase.InlineData } contents)
        {
            contents.InlineData.WriteTo(stream);
        }
        else
        {
            throw new InvalidDataException($"{file.Path}: the images hold no contents for this file");
        }
    }

    /// <summary>A recreated unlinked file, to be opened at <see cref="Path"/> and then unlinked.</summary>
    /// <param name="Path">Where to open it.</param>
    /// <param name="SwappedAside">Where the newer file that holds the name waits meanwhile, if any.</param>
    public sealed record Ghost(string Path, string? SwappedAside) : IDisposable
    {
        /// <summary>Unlinks the copy and gives the name back to the newer file.</summary>
        public void Dispose()
        {
            File.Delete(Path);
            if (SwappedAside is not null)
            {
                Interop.Rename(SwappedAside, Path);
            }
        }
    }
}
