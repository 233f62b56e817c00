using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace DataflowCompiler.Analyzers.Tests;

/// <summary>
/// FsCheck properties over generated job code (FsCheck.Xunit is not available, so they run from facts). A failing
/// property throws with the seed ("(seed,gamma)") and the shrunk counterexample; set FSCHECK_REPLAY="seed,gamma" to
/// replay it.
/// </summary>
public sealed class AnalyzerProperties
{
    private static readonly string[] GoodKeys = ["int", "string", "Guid", "long", "bool", "Region", "DateTime", "char"];
    private static readonly string[] BadKeys = ["object", "int[]", "Customer"];
    private static readonly string[] InexactKeys = ["double", "decimal", "float"];

    [Fact]
    public void A_captured_local_is_reported_exactly_when_it_can_change_after_the_capture()
    {
        var writes = Gen.Zip(Gen.Zip(ArbMap.Default.GeneratorFor<bool>(), ArbMap.Default.GeneratorFor<bool>()), Gen.Zip(ArbMap.Default.GeneratorFor<bool>(), ArbMap.Default.GeneratorFor<bool>()))
            .Select(p => (Before: p.Item1.Item1, Inside: p.Item1.Item2, After: p.Item2.Item1, InLoop: p.Item2.Item2));
        Check(writes.ToArbitrary(), w =>
        {
            var source = $$"""
                public static class Job
                {
                    public static void Run(StreamEnvironment env)
                    {
                        var v = 1;
                        {{(w.Before ? "v = 2;" : "")}}
                        for (var i = 0; i < 2; i++)
                        {
                            {{(w.InLoop ? "v = i;" : "")}}
                            env.FromElements(1).Map(x => x + v{{(w.Inside ? " + (v = 3)" : "")}}).Print();
                        }
                        {{(w.After ? "v += 4;" : "")}}
                    }
                }
                """;
            var diagnostics = AnalyzerTest.RunAsync(new MutableCaptureAnalyzer(), source).GetAwaiter().GetResult();
            var expected = w.Inside || w.After || w.InLoop;
            Assert.Equal(expected ? 1 : 0, diagnostics.Length);
        }, maxTest: 30);
    }

    [Fact]
    public void A_tuple_key_is_an_error_exactly_when_an_element_has_no_deterministic_serializer()
    {
        var elements = Gen.Elements([.. GoodKeys, .. BadKeys, .. InexactKeys]);
        var tuples = Gen.Choose(2, 5).SelectMany(n => Gen.ArrayOf(elements, n));
        Check(tuples.ToArbitrary(), types =>
        {
            var tuple = "(" + string.Join(", ", types.Select(t => $"default({t})!")) + ")";
            var source = $$"""
                public enum Region { North }
                public sealed class Customer { }
                public static class Job
                {
                    public static void Run(StreamEnvironment env) => env.FromElements(1).KeyBy(x => {{tuple}}).Print();
                }
                """;
            var ids = AnalyzerTest.RunAsync(new KeyTypeAnalyzer(), source).GetAwaiter().GetResult().Select(d => d.Id).ToList();
            var expected = types.Any(BadKeys.Contains) ? "DFC0003" : types.Any(InexactKeys.Contains) ? "DFC0010" : null;
            Assert.Equal(expected is null ? [] : [expected], ids);
        }, maxTest: 30);
    }

    private static void Check<T>(Arbitrary<T> arbitrary, Action<T> property, int maxTest)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithQuietOnSuccess(true);
        if (Environment.GetEnvironmentVariable("FSCHECK_REPLAY") is { Length: > 0 } replay)
        {
            var parts = replay.Split(',', StringSplitOptions.TrimEntries);
            config = config.WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(ulong.Parse(parts[0]), ulong.Parse(parts[1])), FSharpOption<int>.None)));
        }
        Prop.ForAll(arbitrary, property).Check(config);
    }
}
