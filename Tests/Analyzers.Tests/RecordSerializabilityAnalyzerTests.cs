namespace DataflowCompiler.Analyzers.Tests;

public sealed class RecordSerializabilityAnalyzerTests
{
    private static readonly RecordSerializabilityAnalyzer Analyzer = new();

    [Fact]
    public async Task Reports_each_unserializable_record_type_of_a_job_once()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            public sealed record Click(long UserId, string Url);

            public sealed class Session { public Click? Last { get; set; } }

            [DataflowJob]
            public static partial class Clicks
            {
                public static void Define(StreamEnvironment env) =>
                    env.FromElements("1,a")
                        .{|DFC0006:Map|}(static line => new Click(long.Parse(line.Split(',')[0]), line))
                        .Filter(static c => c.UserId != 0)
                        .{|DFC0006:Map|}(static c => (c.UserId, new Session { Last = c }))
                        .Print();
            }
            """);
        Assert.Equal(
            "Record type `Click` cannot be serialized: it has no serializer; mark it [DataflowSerializable] so the serializer generator writes one",
            diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("T:Click", diagnostics[0].Properties[RecordSerializabilityAnalyzer.TypeProperty]);
        Assert.Contains("`Session`", diagnostics[1].GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_serializable_types_with_unsupported_members_or_no_constructor()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            using DataflowCompiler.Serialization;

            public sealed class Unmarked { public int A { get; set; } }

            [DataflowSerializable]
            public sealed class {|DFC0006:HasObject|} { public object? Payload { get; set; } }

            [DataflowSerializable]
            public sealed class {|DFC0006:HasUnmarked|} { public Unmarked? Inner { get; set; } }

            [DataflowSerializable]
            public sealed class {|DFC0006:GetOnly|}
            {
                public GetOnly(int a) => A = a;
                public int A { get; }
                public int B { get; }
            }
            """);
        Assert.Equal(
            "Record type `HasObject` cannot be serialized: member `Payload` has type `object`, which has no serializer (mark it [DataflowSerializable] or use a supported type)",
            diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("neither a public constructor", diagnostics[2].GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepts_supported_records_and_streams_of_built_in_types()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            using DataflowCompiler.Serialization;

            public enum Kind { View, Buy }

            [DataflowSerializable]
            public sealed record Click(long UserId, string Url, Kind Kind, DateTime At, Guid Id, int[] Tags, List<string> Labels, int? Score);

            [DataflowSerializable]
            public sealed class Counter
            {
                public string Name = "";
                public long Count { get; set; }
                public long Twice => Count * 2;
            }

            [DataflowSerializable]
            public sealed record Wrapper(Click Click, (int, string) Pair);

            public struct Point { public int X; public int Y; }

            [DataflowJob]
            public static partial class Clicks
            {
                public static void Define(StreamEnvironment env) =>
                    env.FromElements(1L, 2L)
                        .Map(static id => new Click(id, "u", Kind.View, DateTime.UnixEpoch, Guid.Empty, [], [], null))
                        .Map(static c => new Wrapper(c, (1, "a")))
                        .Map(static w => (w.Click.UserId, new Point(), new Counter()))
                        .KeyBy(static t => t.UserId)
                        .Map(new Identity())
                        .Print();
            }

            public sealed class Identity : IMapFunction<(long, Point, Counter), (long, Point, Counter)>
            {
                public (long, Point, Counter) Map((long, Point, Counter) value) => value;
            }

            public sealed class NotAJob
            {
                public void Run(StreamEnvironment env) => env.FromElements(new object()).Print();
            }
            """);
    }
}
