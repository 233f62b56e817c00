using FsCheck.Fluent;

namespace DataflowCompiler.Memory.Tests;

/// <summary>The property runner itself: a falsified property must fail the test and show the seed to replay it.</summary>
public sealed class PropertiesTests
{
    [Fact]
    public void Falsified_property_throws_with_the_replay_seed()
    {
        var e = Assert.ThrowsAny<Exception>(() => Properties.Check(Gens.Of<int>().ToArbitrary(), x => Assert.True(x < 3)));
        Assert.Matches(@"Falsifiable, after \d+ tests? \(\d+ shrinks?\) \(\d+,\d+\)", e.Message);
        Assert.Contains("Replay directly at failing step with", e.Message);
    }
}
