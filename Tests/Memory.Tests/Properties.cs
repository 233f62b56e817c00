using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace DataflowCompiler.Memory.Tests;

/// <summary>
/// Runs FsCheck properties from plain xunit facts (FsCheck.Xunit is not available). A failing
/// property throws, which fails the test; FsCheck's message carries the seed
/// ("Falsifiable, after n tests (k shrinks) (seed,gamma)") and the shrunk counterexample.
/// To replay a failure, set FSCHECK_REPLAY="seed,gamma" and run the failing test.
/// </summary>
internal static class Properties
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
