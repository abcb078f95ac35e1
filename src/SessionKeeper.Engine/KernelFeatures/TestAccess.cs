using System.Runtime.CompilerServices;

// The kernel-feature tests run the probe runner with probes of their own (one that throws, to
// show that it cannot abort the others).
[assembly: InternalsVisibleTo("SessionKeeper.Engine.Tests")]
