using System.CommandLine;

namespace SessionKeeper.Cli.Commands;

/// <summary><c>keeper image …</c>: inspect and edit image files.</summary>
internal static class ImageCommand
{
    /// <summary>Builds the command tree.</summary>
    public static Command Create()
    {
        var image = new Command("image", "Inspect image files (decode to JSON, encode from JSON).");
        return image;
    }
}
