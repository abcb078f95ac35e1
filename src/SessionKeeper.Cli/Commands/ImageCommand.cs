using System.CommandLine;
using System.Text;
using SessionKeeper.Images;

namespace SessionKeeper.Cli.Commands;

/// <summary><c>keeper image …</c>: inspect and edit image files.</summary>
internal static class ImageCommand
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Builds the command tree.</summary>
    public static Command Create()
    {
        var image = new Command(
            "image",
            "Inspect and edit the image files of a snapshot: decode them to JSON, encode JSON back. "
            + "The format is described in proto/keeper/images/v1/*.proto.");
        image.Subcommands.Add(CreateDecode());
        image.Subcommands.Add(CreateEncode());
        return image;
    }

    private static Command CreateDecode()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "An image file of a snapshot (inventory.img, core-PID.img, mm-PID.img, …). "
                + "Its header says which kind it is.",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Write the JSON to this file instead of standard output.",
        };
        var decode = new Command(
            "decode",
            "Print an image file as JSON: its header (kind, format version) and every message in "
            + "protobuf's JSON mapping (64-bit numbers as strings, bytes as base64). "
            + "A damaged file is reported with the byte offset of the damage, and prints nothing.");
        decode.Arguments.Add(file);
        decode.Options.Add(output);
        CommandRunner.SetHandler(decode, (parseResult, stdout) =>
        {
            string path = parseResult.GetValue(file)!;
            string? outputPath = parseResult.GetValue(output);

            // Decode completely before writing, so a damaged image leaves neither partial JSON
            // on stdout nor an output file behind.
            var json = new StringWriter { NewLine = "\n" };
            using (ImageReader reader = OnFile(path, () => ImageReader.OpenAny(path)))
            {
                OnFile(path, () => ImageJson.Decode(reader, json));
            }
            if (outputPath is null)
            {
                stdout.Write(json.ToString());
                stdout.Flush();
            }
            else
            {
                OnFile(outputPath, () => File.WriteAllText(outputPath, json.ToString(), s_utf8));
            }
            return ReturnCode.Success;
        });
        return decode;
    }

    private static Command CreateEncode()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The JSON document, as `keeper image decode` prints it; `-` reads standard input.",
            DefaultValueFactory = _ => "-",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The image file to write (created or replaced).",
            Required = true,
        };
        var encode = new Command(
            "encode",
            "Build a binary image file from JSON (the output of `keeper image decode`, possibly edited). "
            + "A decoded file encodes back to identical bytes. Nothing is written if the JSON is invalid.");
        encode.Arguments.Add(file);
        encode.Options.Add(output);
        CommandRunner.SetHandler(encode, (parseResult, stdout) =>
        {
            string path = parseResult.GetValue(file)!;
            string outputPath = parseResult.GetValue(output)!;
            if (path == "-")
            {
                OnFile(outputPath, () => ImageJson.Encode(Console.In, outputPath, "<stdin>"));
            }
            else
            {
                string json = OnFile(path, () => File.ReadAllText(path, s_utf8));
                OnFile(outputPath, () => ImageJson.Encode(new StringReader(json), outputPath, path));
            }
            return ReturnCode.Success;
        });
        return encode;
    }

    private static void OnFile(string path, Action action) => OnFile(path, () =>
    {
        action();
        return 0;
    });

    // Bad images and unusable paths are the user's input, not keeper faults: one error line
    // naming the file is the whole story, so they become KeeperExceptions (printed without the
    // --verbose hint; the original stays the inner exception for --verbose). The messages are
    // our own because the NativeAOT build strips the runtime's exception texts to resource keys.
    private static T OnFile<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ImageFormatException e)
        {
            throw new KeeperException(e.Message, ReturnCode.Error, e);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new KeeperException($"{path}: no such file or directory", ReturnCode.Error, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KeeperException($"{path}: permission denied", ReturnCode.Error, e);
        }
        catch (IOException e)
        {
            throw new KeeperException($"{path}: {e.Message}", ReturnCode.Error, e);
        }
    }
}
