namespace DataflowCompiler.Analyzers.Tests;

public sealed class KeyTypeAnalyzerTests
{
    private static readonly KeyTypeAnalyzer Analyzer = new();

    [Fact]
    public async Task Reports_a_class_without_serializer_as_key()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            public sealed class Customer { public int Id { get; set; } }

            public static class Job
            {
                public static void Run(StreamEnvironment env) =>
                    env.FromElements(new Customer()).{|DFC0003:KeyBy|}(c => c).Reduce((a, b) => a).Print();
            }
            """);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.StartsWith("Key type `Customer` of KeyBy has no deterministic serializer and hash: it has no built-in serializer", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Reports_arrays_structs_and_tuples_with_such_elements()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public struct Point { public int X; public int Y; }

            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    env.FromElements(1).{|DFC0003:KeyBy|}(x => new[] { x }).Print();
                    env.FromElements(new Point()).{|DFC0003:KeyBy|}(p => p).Print();
                    env.FromElements(1).{|DFC0003:KeyBy|}(x => (x, new object())).Print();
                    env.FromElements(1).{|DFC0003:KeyBy|}(x => new List<int> { x }).Print();
                }
            }
            """);
    }

    [Fact]
    public async Task Accepts_built_in_keys_tuples_of_them_and_serializable_types()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            using DataflowCompiler.Serialization;

            public enum Region { North, South }

            [DataflowSerializable]
            public sealed record UserKey(long Tenant, string Name);

            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    var numbers = env.FromElements(1, 2, 3);
                    numbers.KeyBy(x => x).Print();
                    numbers.KeyBy(x => x.ToString()).Print();
                    numbers.KeyBy(x => (Region)(x % 2)).Print();
                    numbers.KeyBy(x => Guid.Empty).Print();
                    numbers.KeyBy(x => DateTime.UnixEpoch).Print();
                    numbers.KeyBy(x => (x, x.ToString(), 'c')).Print();
                    numbers.KeyBy(x => new UserKey(x, "n")).Print();
                }
            }
            """);
    }

    [Fact]
    public async Task Warns_about_floating_point_decimal_and_offset_keys()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    var numbers = env.FromElements(1, 2, 3);
                    numbers.{|DFC0010:KeyBy|}(x => x / 2.0).Print();
                    numbers.{|DFC0010:KeyBy|}(x => (decimal)x).Print();
                    numbers.{|DFC0010:KeyBy|}(x => (x, (float)x)).Print();
                    numbers.{|DFC0010:KeyBy|}(x => DateTimeOffset.UnixEpoch).Print();
                }
            }
            """);
        Assert.All(diagnostics, d => Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, d.Severity));
        Assert.Equal(
            "Key type `double` of KeyBy contains `double`, whose equal values can serialize differently (0.0 and -0.0 are equal with different bits, and NaN is not equal to itself); equal keys may land in different key groups",
            diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Checks_connected_streams_keys()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public static class Job
            {
                public static void Run(StreamEnvironment env)
                {
                    var connected = env.FromElements(1).Connect(env.FromElements("a"));
                    connected.{|DFC0003:KeyBy|}(x => new object(), s => new object());
                    connected.KeyBy(x => x.ToString(), s => s);
                }
            }
            """);
    }

    [Fact]
    public async Task Accepts_generatable_project_types_as_keys_in_job_classes()
    {
        await AnalyzerTest.VerifyAsync(Analyzer, """
            public sealed record Account(long Tenant, string Name);

            public sealed class Opaque { public object? Payload { get; set; } }

            [DataflowJob]
            public static partial class Job
            {
                public static void Define(StreamEnvironment env)
                {
                    env.FromElements(1L).KeyBy(static x => new Account(x, "a")).Print();
                    env.FromElements(1L).{|DFC0003:KeyBy|}(static x => new Opaque()).Print();
                }
            }

            public static class NotAJob
            {
                public static void Run(StreamEnvironment env) => env.FromElements(1L).{|DFC0003:KeyBy|}(x => new Account(x, "a")).Print();
            }
            """);
    }
}
