using System.Text;

namespace SessionKeeper.Native.Tests;

/// <summary>keeper's SHA-256 against FIPS 180-4's examples and against .NET's (OpenSSL's) on every tail length.</summary>
public sealed class Sha256Tests
{
    [Test]
    public void IsAccelerated_WheneverTheProcessorHasTheShaExtensions()
    {
        bool sha = File.ReadAllLines("/proc/cpuinfo").Any(line => line.StartsWith("flags", StringComparison.Ordinal) && line.Split(' ').Contains("sha_ni"));

        Assert.That(Sha256.IsAccelerated, Is.EqualTo(sha), "the SHA-extension code is what save and restore run here");
    }

    [TestCase("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [TestCase("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void HashData_FipsExamples(string message, string expected)
    {
        Assert.That(Convert.ToHexStringLower(Sha256.HashData(Encoding.ASCII.GetBytes(message))), Is.EqualTo(expected));
    }

    [Test]
    public void HashData_EveryLengthUpTo300AndChunkSizes_MatchesDotNet()
    {
        var random = new Random(1234);
        int[] lengths = [.. Enumerable.Range(0, 301), 4096, 16384, 16384 + 55, 16384 + 56, (1 << 20) + 7];
        Span<byte> digest = stackalloc byte[Sha256.DigestLength];
        foreach (int length in lengths)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);

            Sha256.HashData(data, digest);

            Assert.That(digest.ToArray(), Is.EqualTo(System.Security.Cryptography.SHA256.HashData(data)), $"{length} bytes");
        }
    }

    [Test]
    public void HashData_FromSeveralThreadsAtOnce_EachGetsItsOwnDigest()
    {
        byte[][] inputs = [.. Enumerable.Range(0, 64).Select(i => Enumerable.Repeat((byte)i, 16384 + i).ToArray())];
        var digests = new byte[inputs.Length][];

        Parallel.For(0, inputs.Length, i => digests[i] = Sha256.HashData(inputs[i]));

        Assert.That(digests, Is.EqualTo(inputs.Select(System.Security.Cryptography.SHA256.HashData).ToArray()));
    }
}
