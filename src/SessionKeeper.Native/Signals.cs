namespace SessionKeeper.Native;

/// <summary>x86_64 signal numbers (asm/signal.h).</summary>
public static class Signals
{
    /// <summary>Hangup.</summary>
    public const int SIGHUP = 1;
    /// <summary>Interrupt.</summary>
    public const int SIGINT = 2;
    /// <summary>Quit.</summary>
    public const int SIGQUIT = 3;
    /// <summary>Illegal instruction.</summary>
    public const int SIGILL = 4;
    /// <summary>Trace trap (int3, syscall stops).</summary>
    public const int SIGTRAP = 5;
    /// <summary>Abort.</summary>
    public const int SIGABRT = 6;
    /// <summary>Bus error.</summary>
    public const int SIGBUS = 7;
    /// <summary>Floating-point exception.</summary>
    public const int SIGFPE = 8;
    /// <summary>Kill (cannot be caught or blocked).</summary>
    public const int SIGKILL = 9;
    /// <summary>User signal 1.</summary>
    public const int SIGUSR1 = 10;
    /// <summary>Segmentation fault.</summary>
    public const int SIGSEGV = 11;
    /// <summary>User signal 2.</summary>
    public const int SIGUSR2 = 12;
    /// <summary>Broken pipe.</summary>
    public const int SIGPIPE = 13;
    /// <summary>Alarm clock.</summary>
    public const int SIGALRM = 14;
    /// <summary>Termination.</summary>
    public const int SIGTERM = 15;
    /// <summary>Child status changed.</summary>
    public const int SIGCHLD = 17;
    /// <summary>Continue.</summary>
    public const int SIGCONT = 18;
    /// <summary>Stop (cannot be caught or blocked).</summary>
    public const int SIGSTOP = 19;
    /// <summary>Terminal stop.</summary>
    public const int SIGTSTP = 20;
    /// <summary>Window size change.</summary>
    public const int SIGWINCH = 28;
    /// <summary>First real-time signal number the kernel knows.</summary>
    public const int SIGRTMIN = 32;
    /// <summary>Highest signal number.</summary>
    public const int SIGRTMAX = 64;
}
