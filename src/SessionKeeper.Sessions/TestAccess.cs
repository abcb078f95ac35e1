using System.Runtime.CompilerServices;

// The tests start screen and tmux the way keeper does (ExternalTool.CreateStartInfo).
[assembly: InternalsVisibleTo("SessionKeeper.Sessions.Tests")]
