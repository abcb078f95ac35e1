using SessionKeeper.Images.V1;

namespace SessionKeeper.Engine.Restore;

/// <summary>Files whose contents the images carry: unlinked files and tmpfs files.</summary>
internal static class SavedContents
{
    private const uint PermissionBits = 0xfff;

    /// <summary>
    /// Writes an unlinked file's saved contents to a new file under its old name, or beside it
    /// when the name is taken again, and returns that path; the caller unlinks it once the task
    /// has it open.
    /// </summary>
    public static string CreateGhost(RegularFile file)
    {
        string? directory = Path.GetDirectoryName(file.Path);
        string path = file.Path;
        if (directory is null || !Directory.Exists(directory))
        {
            path = Path.Combine(Path.GetTempPath(), $"keeper-ghost-{Guid.NewGuid():N}");
        }
        else if (File.Exists(path))
        {
            path = $"{file.Path}.keeper-ghost-{Guid.NewGuid():N}";
        }
        Recreate(file, path);
        return path;
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
}
