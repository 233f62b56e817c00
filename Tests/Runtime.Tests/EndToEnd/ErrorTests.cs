using DataflowCompiler.Functions;
using DataflowCompiler.Operators;

namespace DataflowCompiler.Runtime.Tests.EndToEnd;

/// <summary>Bad input gets a clear error that names the problem and where it is.</summary>
public sealed class ErrorTests
{
    [Fact]
    public void Null_functions_are_rejected_when_the_pipeline_is_defined()
    {
        var env = StreamEnvironment.CreateLocal(1);
        var stream = env.FromElements(1, 2, 3);
        Assert.Equal("map", Assert.Throws<ArgumentNullException>(() => stream.Map((Func<int, int>)null!)).ParamName);
        Assert.Equal("predicate", Assert.Throws<ArgumentNullException>(() => stream.Filter((Func<int, bool>)null!)).ParamName);
        Assert.Equal("flatMap", Assert.Throws<ArgumentNullException>(() => stream.FlatMap((Action<int, ICollector<int>>)null!)).ParamName);
        Assert.Equal("keySelector", Assert.Throws<ArgumentNullException>(() => stream.KeyBy((Func<int, int>)null!)).ParamName);
        Assert.Equal("reduce", Assert.Throws<ArgumentNullException>(() => stream.KeyBy(x => x).Reduce((Func<int, int, int>)null!)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => stream.Process((ProcessFunction<int, int>)null!)).ParamName);
        Assert.Equal("sink", Assert.Throws<ArgumentNullException>(() => stream.SinkTo(null!)).ParamName);
        Assert.Throws<ArgumentNullException>(() => env.FromCollection<int>(null!));
    }

    [Fact]
    public void A_throwing_key_selector_fails_the_job_naming_the_key_by_and_the_record()
    {
        var env = StreamEnvironment.CreateLocal(2);
        env.FromSequence(1, 100)
            .KeyBy<long>(v => v == 42 ? throw new InvalidOperationException("no key for 42") : v)
            .Reduce((a, b) => a + b)
            .CollectToList();
        var error = Assert.Throws<JobExecutionException>(() => env.Execute());
        var cause = Assert.IsType<UserCodeException>(error.InnerException);
        Assert.Contains("KeyBy before 'Reduce'", cause.Message);
        Assert.Contains("no key for 42", cause.Message);
        Assert.IsType<InvalidOperationException>(cause.InnerException);
        Assert.True(cause.RecordNumber > 0);
    }

    [Fact]
    public void A_throwing_map_fails_the_job_naming_the_operator_and_the_record_position()
    {
        var env = StreamEnvironment.CreateLocal(1);
        env.FromCollection(Enumerable.Range(1, 10).ToList())
            .Map(x => x == 7 ? throw new FormatException("bad record") : x).Name("ParseClick")
            .CollectToList();
        var error = Assert.Throws<JobExecutionException>(() => env.Execute());
        var cause = Assert.IsType<UserCodeException>(error.InnerException);
        Assert.Equal("ParseClick", cause.OperatorName);
        Assert.Equal(7, cause.RecordNumber);
        Assert.Contains("'ParseClick'", error.Message);
        Assert.Contains("#7", error.Message);
        Assert.IsType<FormatException>(cause.InnerException);
    }

    [Fact]
    public void A_missing_file_is_reported_with_its_path_when_the_source_is_defined()
    {
        var env = StreamEnvironment.CreateLocal(1);
        string path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid()}.txt");
        var error = Assert.Throws<FileNotFoundException>(() => env.ReadTextFile(path));
        Assert.Contains(path, error.Message);
    }

    private sealed class NoSerializer(int value)
    {
        public int Value { get; } = value;
    }

    [Fact]
    public void A_record_type_without_serializer_crossing_tasks_is_rejected_before_the_job_runs()
    {
        var env = StreamEnvironment.CreateLocal(2);
        env.FromSequence(1, 10).Map(v => new NoSerializer((int)v)).Name("Wrap").Rebalance().Map(n => n.Value).CollectToList();
        var error = Assert.Throws<InvalidOperationException>(() => env.Execute());
        Assert.Contains(typeof(NoSerializer).FullName!.Replace('+', '.'), error.Message.Replace('+', '.'));
        Assert.Contains("'Wrap'", error.Message);
        Assert.Contains("RegisterSerializer", error.Message);
    }

    [Fact]
    public void A_record_type_without_serializer_is_fine_inside_a_chain()
    {
        var env = StreamEnvironment.CreateLocal(2);
        var sink = env.FromSequence(1, 10).Map(v => new NoSerializer((int)v)).Map(n => n.Value * 2).CollectToList();
        env.Execute();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => i * 2), sink.Results.Order());
    }

    [Fact]
    public void A_key_type_without_serializer_is_rejected_naming_the_keyed_operator()
    {
        var env = StreamEnvironment.CreateLocal(2);
        env.FromSequence(1, 10).KeyBy(v => new NoSerializer((int)v)).Reduce((a, b) => a + b).Name("Totals").CollectToList();
        var error = Assert.Throws<InvalidOperationException>(() => env.Execute());
        Assert.Contains("'Totals'", error.Message);
        Assert.Contains("NoSerializer", error.Message);
    }

    [Fact]
    public void Parallelism_zero_and_above_max_parallelism_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StreamEnvironment.CreateLocal(0));
        var env = StreamEnvironment.CreateLocal(2);
        var mapped = env.FromSequence(1, 10).Map(v => v).Name("Scale");
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => mapped.SetParallelism(0));
        Assert.Contains("'Scale'", zero.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => env.Parallelism = 0);

        mapped.SetMaxParallelism(2).SetParallelism(4);
        mapped.CollectToList();
        var above = Assert.Throws<InvalidOperationException>(() => env.Execute());
        Assert.Contains("'Scale'", above.Message);
        Assert.Contains("max parallelism 2", above.Message);
    }

    [Fact]
    public void A_non_parallel_source_cannot_run_in_parallel()
    {
        var env = StreamEnvironment.CreateLocal(2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => env.FromElements(1, 2).SetParallelism(2));
        Assert.Contains("not parallel", error.Message);
    }

    [Fact]
    public void A_job_without_sink_is_rejected()
    {
        var env = StreamEnvironment.CreateLocal(1);
        env.FromElements(1, 2).Map(x => x);
        var error = Assert.Throws<InvalidOperationException>(() => env.Execute());
        Assert.Contains("no sink", error.Message);
    }

    [Fact]
    public void Forward_between_different_parallelism_is_rejected_naming_both_operators()
    {
        var env = StreamEnvironment.CreateLocal(2);
        env.FromSequence(1, 10).Map(v => v).Name("A").Forward().Map(v => v).Name("B").SetParallelism(1).CollectToList();
        var error = Assert.Throws<InvalidOperationException>(() => env.Execute());
        Assert.Contains("'A'", error.Message);
        Assert.Contains("'B'", error.Message);
    }

    [Fact]
    public void Keyed_state_outside_a_keyed_stream_is_a_clear_error()
    {
        var env = StreamEnvironment.CreateLocal(1);
        env.FromElements(1, 2).Map(new StatefulWithoutKey()).Name("Lonely").CollectToList();
        var error = Assert.Throws<JobExecutionException>(() => env.Execute());
        Assert.Contains("keyed state exists only on a keyed stream", error.ToString());
        Assert.Contains("'Lonely'", error.ToString());
    }

    private sealed class StatefulWithoutKey : RichFunction, IMapFunction<int, int>
    {
        public override void Open(RuntimeContext context) => context.GetState(new DataflowCompiler.State.ValueStateDescriptor<int>("x"));

        public int Map(int value) => value;
    }

    [Fact]
    public void Duplicate_uids_are_rejected()
    {
        var env = StreamEnvironment.CreateLocal(1);
        var a = env.FromElements(1).Map(x => x).Uid("same");
        a.Map(x => x).Uid("same").CollectToList();
        var error = Assert.Throws<InvalidOperationException>(() => env.Execute());
        Assert.Contains("'same'", error.Message);
    }
}
