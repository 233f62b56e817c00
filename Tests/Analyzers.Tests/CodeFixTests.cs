using DataflowCompiler.Analyzers.CodeFixes;

namespace DataflowCompiler.Analyzers.Tests;

public sealed class CodeFixTests
{
    [Fact]
    public async Task Makes_a_job_class_partial()
    {
        await CodeFixTest.VerifyAsync(new JobClassAnalyzer(), new MakeJobClassStaticPartialCodeFix(), "DFC0008", remaining: 0, ("Job.cs", """
            /// <summary>A job.</summary>
            [DataflowJob]
            public static class Job
            {
                public static void Define(StreamEnvironment env) => env.FromElements(1).Map(static x => x).Print();
            }
            """, """
            /// <summary>A job.</summary>
            [DataflowJob]
            public static partial class Job
            {
                public static void Define(StreamEnvironment env) => env.FromElements(1).Map(static x => x).Print();
            }
            """));
    }

    [Fact]
    public async Task Makes_a_job_class_static_partial_when_it_has_only_static_members()
    {
        await CodeFixTest.VerifyAsync(new JobClassAnalyzer(), new MakeJobClassStaticPartialCodeFix(), "DFC0008", remaining: 0, ("Job.cs", """
            [DataflowJob]
            class Job
            {
                private const int Parallelism = 1;

                public static void Define(StreamEnvironment env) => env.FromElements(1).SetParallelism(Parallelism).Print();
            }
            """, """
            [DataflowJob]
            static partial class Job
            {
                private const int Parallelism = 1;

                public static void Define(StreamEnvironment env) => env.FromElements(1).SetParallelism(Parallelism).Print();
            }
            """));
    }

    [Fact]
    public async Task Only_adds_partial_to_a_job_class_with_instance_members()
    {
        // Adding static would not compile; the class stays non-static and DFC0008 keeps saying so.
        await CodeFixTest.VerifyAsync(new JobClassAnalyzer(), new MakeJobClassStaticPartialCodeFix(), "DFC0008", remaining: 1, ("Job.cs", """
            [DataflowJob]
            public sealed class Job
            {
                public int Runs { get; set; }

                public static void Define(StreamEnvironment env) => env.FromElements(1).Print();
            }
            """, """
            [DataflowJob]
            public sealed partial class Job
            {
                public int Runs { get; set; }

                public static void Define(StreamEnvironment env) => env.FromElements(1).Print();
            }
            """));
    }

    [Fact]
    public async Task Makes_a_non_capturing_lambda_static()
    {
        await CodeFixTest.VerifyAsync(new JobClassAnalyzer(), new MakeLambdaStaticCodeFix(), "DFC0011", remaining: 1, ("Job.cs", """
            [DataflowJob]
            public static partial class Job
            {
                public static void Define(StreamEnvironment env) =>
                    env.FromElements(1, 2)
                        .Map(x => x + 1)
                        .Filter((int x) => x > 1)
                        .Print();
            }
            """, """
            [DataflowJob]
            public static partial class Job
            {
                public static void Define(StreamEnvironment env) =>
                    env.FromElements(1, 2)
                        .Map(static x => x + 1)
                        .Filter((int x) => x > 1)
                        .Print();
            }
            """));
    }

    [Fact]
    public async Task Makes_a_parenthesized_block_lambda_static()
    {
        await CodeFixTest.VerifyAsync(new JobClassAnalyzer(), new MakeLambdaStaticCodeFix(), "DFC0011", remaining: 0, ("Job.cs", """
            [DataflowJob]
            public static partial class Job
            {
                public static void Define(StreamEnvironment env) =>
                    env.FromElements("a b").FlatMap<string>((line, output) =>
                    {
                        foreach (var word in line.Split(' ')) output.Collect(word);
                    }).Print();
            }
            """, """
            [DataflowJob]
            public static partial class Job
            {
                public static void Define(StreamEnvironment env) =>
                    env.FromElements("a b").FlatMap<string>(static (line, output) =>
                    {
                        foreach (var word in line.Split(' ')) output.Collect(word);
                    }).Print();
            }
            """));
    }

    [Fact]
    public async Task Marks_a_record_type_in_another_document_serializable()
    {
        await CodeFixTest.VerifyAsync(
            new RecordSerializabilityAnalyzer(),
            new AddDataflowSerializableCodeFix(),
            "DFC0006",
            remaining: 0,
            ("Job.cs", """
                using Shop;

                public static class Job
                {
                    public static void Run(StreamEnvironment env) =>
                        env.FromElements(1L).Map(id => new Click(id, "u")).KeyBy(c => c.UserId).Print();
                }
                """, """
                using Shop;

                public static class Job
                {
                    public static void Run(StreamEnvironment env) =>
                        env.FromElements(1L).Map(id => new Click(id, "u")).KeyBy(c => c.UserId).Print();
                }
                """),
            ("Click.cs", """
                namespace Shop;

                /// <summary>A click.</summary>
                public sealed record Click(long UserId, string Url);
                """, """
                using DataflowCompiler.Serialization;

                namespace Shop;

                /// <summary>A click.</summary>
                [DataflowSerializable]
                public sealed record Click(long UserId, string Url);
                """));
    }

    [Fact]
    public async Task Marks_a_record_type_serializable_without_repeating_an_existing_using()
    {
        await CodeFixTest.VerifyAsync(new RecordSerializabilityAnalyzer(), new AddDataflowSerializableCodeFix(), "DFC0006", remaining: 0, ("Job.cs", """
            using DataflowCompiler.Serialization;

            public static class Job
            {
                public static void Run(StreamEnvironment env) => env.FromElements(1).Map(x => new Total { Sum = x }).Rebalance().Print();
            }

            [Serializable]
            public sealed class Total
            {
                public long Sum { get; set; }
            }
            """, """
            using DataflowCompiler.Serialization;

            public static class Job
            {
                public static void Run(StreamEnvironment env) => env.FromElements(1).Map(x => new Total { Sum = x }).Rebalance().Print();
            }

            [DataflowSerializable]
            [Serializable]
            public sealed class Total
            {
                public long Sum { get; set; }
            }
            """));
    }

    [Fact]
    public async Task Offers_no_attribute_for_types_outside_the_project()
    {
        await CodeFixTest.VerifyNoFixAsync(new RecordSerializabilityAnalyzer(), new AddDataflowSerializableCodeFix(), """
            [DataflowJob]
            public static partial class Job
            {
                public static void Define(StreamEnvironment env) =>
                    env.FromElements(1).Map(static x => new Uri("http://host/" + x)).Print();
            }
            """);
    }
}
