using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace DataflowCompiler.Runtime.Tests.Time;

/// <summary>
/// Runs FsCheck properties from xunit facts (FsCheck.Xunit is not available). A failing property throws with
/// FsCheck's message, which carries the seed ("(seed,gamma)") and the shrunk counterexample; set
/// FSCHECK_REPLAY="seed,gamma" to replay it.
/// </summary>
internal static class TimeProperties
{
    public static void Check<T>(Arbitrary<T> arbitrary, Action<T> property, int maxTest = 100) =>
        Prop.ForAll(arbitrary, property).Check(Configuration(maxTest));

    private static Config Configuration(int maxTest)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithQuietOnSuccess(true);
        if (Environment.GetEnvironmentVariable("FSCHECK_REPLAY") is { Length: > 0 } replay)
        {
            var parts = replay.Split(',', StringSplitOptions.TrimEntries);
            var rnd = new Rnd(ulong.Parse(parts[0]), ulong.Parse(parts[1]));
            config = config.WithReplay(FSharpOption<Replay>.Some(new Replay(rnd, FSharpOption<int>.None)));
        }
        return config;
    }
}
