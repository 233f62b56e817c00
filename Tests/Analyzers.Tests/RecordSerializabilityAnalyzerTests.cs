using System.Globalization;

namespace DataflowCompiler.Analyzers.Tests;

public sealed class RecordSerializabilityAnalyzerTests
{
    private static readonly RecordSerializabilityAnalyzer Analyzer = new();

    [Fact]
    public async Task Reports_record_types_of_a_job_the_generator_cannot_handle_once_each()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            public sealed class Holder { public object? Payload { get; set; } }

            public sealed record Node(long Value, Node? Next);

            [DataflowJob]
            public static partial class Job
            {
                public static void Define(StreamEnvironment env) =>
                    env.FromElements(1)
                        .{|DFC0006:Map|}(static x => new Holder())
                        .Filter(static h => h.Payload is null)
                        .{|DFC0006:{|DFC0006:Map|}|}(static h => (new Node(1, null), new Uri("http://host/")))
                        .Print();
            }
            """);
        var messages = diagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(
            "Record type `Holder` cannot be serialized: member `Payload` has type `object`: this type is not supported by the serializer generator",
            messages[0]);
        Assert.Contains(messages, m => m.StartsWith("Record type `Node` cannot be serialized: member `Next` has type `Node`:", StringComparison.Ordinal) && m.Contains("cyclic", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Record type `Uri` cannot be serialized: it has no built-in serializer", StringComparison.Ordinal));
        Assert.All(diagnostics, d => Assert.False(d.Properties.ContainsKey(RecordSerializabilityAnalyzer.FixProperty)));
    }

    [Fact]
    public async Task Reports_unmarked_records_crossing_an_exchange_outside_job_classes()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            public sealed record Click(long UserId, string Url);

            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    var clicks = env.FromElements(1L).Map(id => new Click(id, "u"));
                    clicks.Filter(c => c.UserId > 0).Print();
                    clicks.{|DFC0006:KeyBy|}(c => c.UserId).Print();
                    clicks.{|DFC0006:Rebalance|}().Print();
                    env.FromElements(1L).Map(id => (id, new Click(id, "u"))).{|DFC0006:Shuffle|}().Print();
                }
            }
            """);
        Assert.Equal(
            "Record type `Click` cannot be serialized: it crosses a task boundary but has no serializer; mark it [DataflowSerializable] so the serializer generator writes one",
            diagnostics[0].GetMessage(CultureInfo.InvariantCulture));
        Assert.All(diagnostics, d => Assert.Equal("T:Click", d.Properties[RecordSerializabilityAnalyzer.TypeProperty]));
    }

    [Fact]
    public async Task Reports_serializable_types_the_generator_cannot_handle()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            using DataflowCompiler.Serialization;

            [DataflowSerializable]
            public sealed class {|DFC0006:HasObject|} { public object? Payload { get; set; } }

            [DataflowSerializable]
            public sealed class {|DFC0006:GetOnly|}
            {
                public GetOnly(int a) => A = a;
                public int A { get; }
                public int B { get; }
            }

            [DataflowSerializable]
            public sealed class {|DFC0006:NoConstructor|}
            {
                public NoConstructor(string label) { }
                public int A { get; set; }
            }

            [DataflowSerializable]
            public abstract class {|DFC0006:Shape|} { }

            [DataflowSerializable]
            public sealed class {|DFC0006:ReadonlyField|} { public readonly int A; }

            public static class Outer
            {
                [DataflowSerializable]
                private sealed class {|DFC0006:Hidden|} { public int A { get; set; } }
            }
            """);
        var messages = diagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ToList();
        Assert.Equal("Record type `HasObject` cannot be serialized: member `Payload` has type `object`: this type is not supported by the serializer generator", messages[0]);
        Assert.Equal("Record type `GetOnly` cannot be serialized: get-only property `B` is not a constructor parameter, so it cannot be restored", messages[1]);
        Assert.Contains("neither a public constructor", messages[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepts_supported_records_and_streams_of_built_in_types()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            using DataflowCompiler.Serialization;

            public enum Kind { View, Buy }

            [DataflowSerializable]
            public sealed record Click(long UserId, string Url, Kind Kind, DateTime At, Guid Id, int[] Tags, List<string> Labels, int? Score, DateTimeOffset Seen);

            [DataflowSerializable]
            public sealed class Counter
            {
                public string Name = "";
                public long Count { get; set; }
                public long Twice => Count * 2;
            }

            public sealed class Unmarked { public int A { get; set; } }

            [DataflowSerializable]
            public sealed record Wrapper(Click Click, (int, string) Pair, Unmarked Inner, IReadOnlyList<Unmarked> More);

            public struct Point { public int X; public int Y; }

            public sealed record Session(long Id, Click? Last);

            [DataflowJob]
            public static partial class Clicks
            {
                public static void Define(StreamEnvironment env) =>
                    env.FromElements(1L, 2L)
                        .Map(static id => new Click(id, "u", Kind.View, DateTime.UnixEpoch, Guid.Empty, [], [], null, DateTimeOffset.UnixEpoch))
                        .Map(static c => new Wrapper(c, (1, "a"), new Unmarked(), []))
                        .Map(static w => (w.Click.UserId, new Point(), new Counter(), new Session(1, null)))
                        .KeyBy(static t => t.UserId)
                        .Map(new Identity())
                        .Print();
            }

            public sealed class Identity : IMapFunction<(long, Point, Counter, Session), (long, Point, Counter, Session)>
            {
                public (long, Point, Counter, Session) Map((long, Point, Counter, Session) value) => value;
            }

            public static class NotAJob
            {
                public static void Run(StreamEnvironment env)
                {
                    env.FromElements(new Unmarked()).Map(u => u.A).Print();
                    env.FromElements(new Click(1, "u", Kind.Buy, DateTime.UnixEpoch, Guid.Empty, [], [], 1, default)).KeyBy(c => c.UserId).Print();
                    env.FromElements(new Point()).Rebalance().Print();
                }
            }
            """);
    }
}
