using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SessionKeeper.Native.Tests.Abi;

/// <summary>Every kernel ABI struct against sizeof/offsetof from the real C headers.</summary>
public sealed class AbiLayoutTests
{
    private static readonly Type[] s_structs =
    [
        typeof(UserRegs), typeof(CloneArgs), typeof(PrctlMmMap), typeof(IoVec), typeof(MsgHdr),
        typeof(CmsgHdr), typeof(Termios), typeof(WinSize), typeof(KernelSigaction),
        typeof(TcpRepairOpt), typeof(TcpRepairWindow), typeof(PtraceRseqConfiguration),
        typeof(PtracePeekSigInfoArgs), typeof(SigInfo), typeof(StackT), typeof(Rlimit),
        typeof(Timespec), typeof(Timeval), typeof(ItimerVal), typeof(ItimerSpec), typeof(Stat),
        typeof(SockAddrUn), typeof(SockAddrIn), typeof(SockAddrIn6), typeof(Ucred),
        typeof(KcmpEpollSlot), typeof(IfReqFlags), typeof(EpollEvent), typeof(FileHandleHeader),
    ];

    private static readonly Type[] s_enums =
    [
        typeof(KcmpType), typeof(PrctlOption), typeof(PrSetMmOption), typeof(ArchPrctlCode),
        typeof(IoctlRequest), typeof(SocketFamily), typeof(SocketKind), typeof(SocketLevel),
        typeof(SocketOption), typeof(TcpOption), typeof(TcpRepairMode), typeof(TcpQueue),
        typeof(TcpOptionKind), typeof(MsgFlags), typeof(ScmType), typeof(ShutdownHow),
        typeof(OpenFlags), typeof(FcntlCommand), typeof(SeekWhence), typeof(InterfaceFlags),
        typeof(MountFlags), typeof(EpollOperation), typeof(EventfdFlags), typeof(TimerfdSettimeFlags),
        typeof(InotifyMaskFlags), typeof(SpliceFlags),
    ];

    /// <summary>Members the installed headers cannot confirm, and why.</summary>
    private static readonly HashSet<string> s_unprobed =
    [
        // glibc defines O_LARGEFILE as 0 on 64-bit; the kernel's 0x8000 shows in fdinfo flags.
        "OpenFlags.O_LARGEFILE",
        // An empty flag set has no C name.
        "MsgFlags.None",
        "InterfaceFlags.None",
        "MountFlags.None",
        "SpliceFlags.None",
    ];

    public static IEnumerable<Type> Structs => s_structs;

    public static IEnumerable<Type> Enums => s_enums;

    [TestCaseSource(nameof(Structs))]
    public void SizeAndOffsets_ComparedWithCHeaders_AreEqual(Type type)
    {
        AbiProbe probe = AbiProbe.Instance;
        Assert.That(probe.Sizes.TryGetValue(type.Name, out long size), Is.True, $"{type.Name}: the C probe does not describe this struct");
        Assert.Multiple(() =>
        {
            Assert.That(ManagedSize(type), Is.EqualTo(size), $"{type.Name}: sizeof");
            foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!probe.Offsets.TryGetValue((type.Name, field.Name), out long offset))
                {
                    Assert.Fail($"{type.Name}.{field.Name}: the C probe has no offset for this field");
                    continue;
                }
                Assert.That((long)Marshal.OffsetOf(type, field.Name), Is.EqualTo(offset), $"{type.Name}.{field.Name}: offsetof");
            }
        });
    }

    [Test]
    public void ProbeStructs_EachOne_HasAManagedTwinUnderTest()
    {
        var tested = s_structs.Select(t => t.Name).ToHashSet();
        Assert.That(AbiProbe.Instance.Sizes.Keys.Where(name => !tested.Contains(name)), Is.Empty);
    }

    [TestCaseSource(nameof(Enums))]
    public void ConstantValues_ComparedWithCHeaders_AreEqual(Type type)
    {
        AbiProbe probe = AbiProbe.Instance;
        Assert.Multiple(() =>
        {
            foreach (string name in Enum.GetNames(type))
            {
                long managed = Convert.ToInt64(Enum.Parse(type, name));
                if (probe.Constants.TryGetValue((type.Name, name), out long native))
                {
                    Assert.That(managed, Is.EqualTo(native), $"{type.Name}.{name}");
                }
                else if (!s_unprobed.Contains($"{type.Name}.{name}") && !IsNewerThanHeaders(type, name))
                {
                    Assert.Fail($"{type.Name}.{name}: the C probe has no value for this constant");
                }
            }
        });
    }

    /// <summary>Constants the probe prints only when the installed uapi headers are new enough.</summary>
    private static bool IsNewerThanHeaders(Type type, string name)
        => (type == typeof(ArchPrctlCode) && name.StartsWith("ARCH_SHSTK_", StringComparison.Ordinal))
        || (type == typeof(PrctlOption) && name == nameof(PrctlOption.PR_TIMER_CREATE_RESTORE_IDS));

    private static long ManagedSize(Type type)
        => (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
}
