using DataflowCompiler.Functions;
using DataflowCompiler.Windowing;

namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>Bad window and join definitions fail where they are written, with the parameter or the fix named.</summary>
public sealed class WindowApiErrorTests
{
    private static (StreamEnvironment Env, DataStream<Arrival> Stream) Stream()
    {
        var env = WindowApiTests.Environment(2);
        return (env, WindowApiTests.Source(env, [new Arrival(1, 1, 1)], 0));
    }

    [Fact]
    public void Null_assigners_and_functions_throw_ArgumentNullException_naming_the_parameter()
    {
        var (_, stream) = Stream();
        var keyed = stream.KeyBy(a => a.Key);
        var windowed = keyed.Window(TumblingEventTimeWindows.Of(10));
        Assert.Equal("assigner", Assert.Throws<ArgumentNullException>(() => keyed.Window<TimeWindow>(null!)).ParamName);
        Assert.Equal("assigner", Assert.Throws<ArgumentNullException>(() => stream.WindowAll<TimeWindow>(null!)).ParamName);
        Assert.Equal("reduce", Assert.Throws<ArgumentNullException>(() => windowed.Reduce((Func<Arrival, Arrival, Arrival>)null!)).ParamName);
        Assert.Equal("reduce", Assert.Throws<ArgumentNullException>(() => windowed.Reduce((IReduceFunction<Arrival>)null!)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => windowed.Reduce((a, b) => a, (ProcessWindowFunction<Arrival, Firing, int, TimeWindow>)null!)).ParamName);
        Assert.Equal("aggregate", Assert.Throws<ArgumentNullException>(() => windowed.Aggregate((IAggregateFunction<Arrival, long, long>)null!)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => windowed.Aggregate(new ArrivalAggregate(), (ProcessWindowFunction<(long, long), Firing, int, TimeWindow>)null!)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => windowed.Process((ProcessWindowFunction<Arrival, Firing, int, TimeWindow>)null!)).ParamName);
        Assert.Equal("trigger", Assert.Throws<ArgumentNullException>(() => windowed.Trigger(null!)).ParamName);
        Assert.Equal("evictor", Assert.Throws<ArgumentNullException>(() => windowed.Evictor(null!)).ParamName);
        Assert.Equal("tag", Assert.Throws<ArgumentNullException>(() => windowed.SideOutputLateData(null!)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => stream.WindowAll(TumblingEventTimeWindows.Of(10)).Process((ProcessAllWindowFunction<Arrival, Firing, TimeWindow>)null!)).ParamName);
        Assert.Equal("keySelector", Assert.Throws<ArgumentNullException>(() => stream.Join(stream).Where<int>(null!)).ParamName);
        Assert.Equal("keySelector", Assert.Throws<ArgumentNullException>(() => stream.Join(stream).Where(a => a.Key).EqualTo(null!)).ParamName);
        Assert.Equal("join", Assert.Throws<ArgumentNullException>(() =>
            stream.Join(stream).Where(a => a.Key).EqualTo(a => a.Key).Window(TumblingEventTimeWindows.Of(10)).Apply((Func<Arrival, Arrival, int>)null!)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() =>
            stream.CoGroup(stream).Where(a => a.Key).EqualTo(a => a.Key).Window(TumblingEventTimeWindows.Of(10)).Apply((ICoGroupFunction<Arrival, Arrival, int>)null!)).ParamName);
        Assert.Equal("other", Assert.Throws<ArgumentNullException>(() => keyed.IntervalJoin<Arrival>(null!)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() =>
            keyed.IntervalJoin(keyed).Between(-1, 1).Process((ProcessJoinFunction<Arrival, Arrival, int>)null!)).ParamName);
    }

    [Fact]
    public void WindowAll_with_parallelism_above_one_is_rejected_with_the_fix()
    {
        var (_, stream) = Stream();
        var result = stream.WindowAll(TumblingEventTimeWindows.Of(10)).Reduce((a, b) => a);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => result.SetParallelism(2));
        Assert.Contains("'WindowAll'", error.Message);
        Assert.Contains("KeyBy the stream and use Window", error.Message);
        result.SetParallelism(1); // allowed
    }

    [Fact]
    public void Allowed_lateness_on_processing_time_windows_is_rejected()
    {
        var (_, stream) = Stream();
        var error = Assert.Throws<ArgumentException>(() =>
            stream.KeyBy(a => a.Key).Window(TumblingProcessingTimeWindows.Of(10)).AllowedLateness(TimeSpan.FromSeconds(1)));
        Assert.Contains("event-time windows only", error.Message);
        Assert.Throws<ArgumentException>(() => stream.WindowAll(SlidingProcessingTimeWindows.Of(10, 5)).AllowedLateness(TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.KeyBy(a => a.Key).Window(TumblingEventTimeWindows.Of(10)).AllowedLateness(-1));
    }

    [Fact]
    public void Interval_join_bounds_must_form_a_non_empty_interval()
    {
        var (_, stream) = Stream();
        var keyed = stream.KeyBy(a => a.Key);
        Assert.Contains("must not be greater", Assert.Throws<ArgumentException>(() => keyed.IntervalJoin(keyed).Between(5, 1)).Message);
        Assert.Contains("is empty", Assert.Throws<ArgumentException>(() =>
            keyed.IntervalJoin(keyed).Between(3, 3).LowerBoundExclusive().Process(new NoPairs())).Message);
    }

    [Fact]
    public void Interval_join_of_records_without_timestamps_fails_the_job_saying_what_to_add()
    {
        var env = WindowApiTests.Environment(1);
        var keyed = env.FromElements(1, 2, 3).KeyBy(x => x);
        keyed.IntervalJoin(keyed).Between(-1, 1).Process(new IntNoPairs()).CollectToList();
        var error = Assert.Throws<JobExecutionException>(() => env.Execute("no timestamps"));
        Assert.Contains("need event timestamps", error.ToString());
    }

    private sealed class NoPairs : ProcessJoinFunction<Arrival, Arrival, int>
    {
        public override void ProcessElement(Arrival left, Arrival right, Context context, ICollector<int> output) => output.Collect(left.Key);
    }

    private sealed class IntNoPairs : ProcessJoinFunction<int, int, int>
    {
        public override void ProcessElement(int left, int right, Context context, ICollector<int> output) => output.Collect(left);
    }
}
