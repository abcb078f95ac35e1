namespace SessionKeeper.Native.Tests;

public sealed class PrctlTests
{
    [Test]
    public void SetThreadName_OnOwnThread_GetThreadNameReturnsItTruncatedToFifteenBytes()
    {
        string? name = null;
        // PR_SET_NAME renames only the calling thread; a private thread keeps the runner's names intact.
        var thread = new Thread(() =>
        {
            Interop.SetThreadName("keeper-test-thread-name");
            name = Interop.GetThreadName();
        });
        thread.Start();
        thread.Join();

        Assert.That(name, Is.EqualTo("keeper-test-thr"));
    }

    [Test]
    public void GetMmMapSize_ThisKernel_EqualsPrctlMmMapSize()
    {
        Assert.That(Interop.GetMmMapSize(), Is.EqualTo((uint)PrctlMmMap.Size));
    }

    [Test]
    public void ArchGetFs_CallingThread_ReturnsItsThreadPointer()
    {
        Assert.That(Interop.ArchGetFs(), Is.Not.Zero);
    }

    [Test]
    public void Prctl_UnknownOption_ThrowsEinvalNamingTheOption()
    {
        var error = Assert.Throws<ErrnoException>(() => Interop.Prctl((PrctlOption)0x7fff0000))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Errno, Is.EqualTo(Errno.EINVAL));
            Assert.That(error.Call, Does.StartWith("prctl("));
        });
    }

    [Test]
    public void CmsgHelpers_OneFd_MatchTheKernelArithmetic()
    {
        Assert.Multiple(() =>
        {
            Assert.That(CmsgHdr.Len(4), Is.EqualTo(20));
            Assert.That(CmsgHdr.Space(4), Is.EqualTo(24));
            Assert.That(CmsgHdr.Space(12), Is.EqualTo(32));
        });
    }
}
