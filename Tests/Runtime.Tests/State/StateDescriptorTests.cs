using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.State;

public sealed class StateDescriptorTests
{
    [Fact]
    public void Null_arguments_throw_naming_the_parameter()
    {
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new ValueStateDescriptor<long>(null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new ListStateDescriptor<long>(null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new MapStateDescriptor<int, long>(null!)).ParamName);
        Assert.Equal("reduce", Assert.Throws<ArgumentNullException>(() => new ReducingStateDescriptor<long>("r", null!)).ParamName);
        Assert.Equal("aggregateFunction",
            Assert.Throws<ArgumentNullException>(() => new AggregatingStateDescriptor<long, Average, double>("a", null!)).ParamName);
    }

    [Fact]
    public void Blank_name_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new ValueStateDescriptor<long>("  "));
        Assert.Equal("name", e.ParamName);
    }

    [Fact]
    public void Descriptors_keep_what_they_were_given()
    {
        var serializer = new UnmanagedSerializer<long>();
        var value = new ValueStateDescriptor<long>("v", 7, serializer);
        Assert.Equal(("v", "value", 7L), (value.Name, value.Kind, value.DefaultValue));
        Assert.Same(serializer, value.Serializer);
        Assert.Null(new ValueStateDescriptor<long>("v").Serializer);

        Assert.Equal("list", new ListStateDescriptor<long>("l", serializer).Kind);
        var map = new MapStateDescriptor<long, string>("m", serializer, new StringSerializer());
        Assert.Equal("map", map.Kind);
        Assert.Same(serializer, map.KeySerializer);
        Assert.IsType<StringSerializer>(map.ValueSerializer);

        Func<long, long, long> sum = (a, b) => a + b;
        var reducing = new ReducingStateDescriptor<long>("r", sum);
        Assert.Equal("reducing", reducing.Kind);
        Assert.Same(sum, reducing.Reduce);

        var function = new AverageFunction();
        var aggregating = new AggregatingStateDescriptor<long, Average, double>("a", function);
        Assert.Equal("aggregating", aggregating.Kind);
        Assert.Same(function, aggregating.AggregateFunction);
        Assert.Null(aggregating.AccumulatorSerializer);
    }
}
