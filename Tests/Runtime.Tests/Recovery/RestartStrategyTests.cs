using DataflowCompiler.Recovery;

namespace DataflowCompiler.Runtime.Tests.Recovery;

public sealed class RestartStrategyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static (bool Restart, TimeSpan Delay) Fail(IRestartBackoff backoff, DateTimeOffset now)
    {
        bool restart = backoff.CanRestart(now, out var delay);
        return (restart, delay);
    }

    [Fact]
    public void No_restart_fails_at_the_first_failure()
    {
        var backoff = RestartStrategy.NoRestart().CreateBackoff();
        Assert.Equal((false, TimeSpan.Zero), Fail(backoff, T0));
        Assert.Equal("none", RestartStrategy.NoRestart().Type);
    }

    [Fact]
    public void Fixed_delay_defaults_to_one_attempt_after_one_second()
    {
        var strategy = RestartStrategy.FixedDelay();
        Assert.Equal("fixed-delay(attempts=1, delay=00:00:01)", strategy.ToString());
        var backoff = strategy.CreateBackoff();
        Assert.Equal((true, TimeSpan.FromSeconds(1)), Fail(backoff, T0));
        Assert.Equal((false, TimeSpan.Zero), Fail(backoff, T0.AddHours(5)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Fixed_delay_restarts_exactly_attempts_times(int attempts)
    {
        var backoff = RestartStrategy.FixedDelay(attempts, TimeSpan.FromMilliseconds(250)).CreateBackoff();
        for (int i = 0; i < attempts; i++)
        {
            Assert.Equal((true, TimeSpan.FromMilliseconds(250)), Fail(backoff, T0.AddDays(i)));
        }
        Assert.False(Fail(backoff, T0.AddDays(attempts)).Restart);
    }

    [Fact]
    public void Failure_rate_defaults_allow_one_failure_per_minute()
    {
        var strategy = RestartStrategy.FailureRate();
        Assert.Equal("failure-rate(max-failures-per-interval=1, failure-rate-interval=00:01:00, delay=00:00:01)", strategy.ToString());
        var backoff = strategy.CreateBackoff();
        Assert.Equal((true, TimeSpan.FromSeconds(1)), Fail(backoff, T0));
        Assert.False(Fail(backoff, T0.AddSeconds(59)).Restart);
    }

    [Fact]
    public void Failure_rate_counts_failures_in_a_sliding_window()
    {
        var backoff = RestartStrategy.FailureRate(3, TimeSpan.FromMinutes(10), TimeSpan.Zero).CreateBackoff();
        Assert.True(Fail(backoff, T0).Restart);
        Assert.True(Fail(backoff, T0.AddMinutes(4)).Restart);
        Assert.True(Fail(backoff, T0.AddMinutes(8)).Restart);
        // The failure at 0 min is still inside the window of the one at 10 min (start inclusive): 4 failures.
        Assert.False(Fail(backoff, T0.AddMinutes(10)).Restart);
        // At 14 min 1 s the failures at 0 and 4 min have left the window: 8, 10 (counted although it failed the job) and 14:01.
        Assert.True(Fail(backoff, T0.AddMinutes(14).AddSeconds(1)).Restart);
    }

    [Fact]
    public void Failure_rate_spread_out_failures_restart_forever()
    {
        var backoff = RestartStrategy.FailureRate(1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)).CreateBackoff();
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal((true, TimeSpan.FromSeconds(2)), Fail(backoff, T0.AddSeconds(11 * i)));
        }
    }

    [Fact]
    public void Failure_rate_allows_the_unlimited_maximum()
    {
        var backoff = RestartStrategy.FailureRate(int.MaxValue).CreateBackoff();
        for (int i = 0; i < 10; i++)
        {
            Assert.True(Fail(backoff, T0).Restart);
        }
    }

    [Fact]
    public void Exponential_delay_defaults_are_flinks()
    {
        Assert.Equal(
            "exponential-delay(initial-backoff=00:00:01, max-backoff=00:01:00, backoff-multiplier=1.5, reset-backoff-threshold=01:00:00, " +
            "jitter-factor=0.1, attempts-before-reset-backoff=2147483647)",
            RestartStrategy.ExponentialDelay().ToString());
    }

    [Fact]
    public void Exponential_delay_grows_by_the_multiplier_up_to_the_cap()
    {
        var backoff = RestartStrategy.ExponentialDelay(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 2, TimeSpan.FromHours(1), jitterFactor: 0)
            .CreateBackoff();
        var now = T0;
        var delays = new List<double>();
        for (int i = 0; i < 7; i++)
        {
            Assert.True(backoff.CanRestart(now, out var delay));
            delays.Add(delay.TotalSeconds);
            now += delay + TimeSpan.FromSeconds(5); // fails 5 s after each restart
        }
        Assert.Equal([1, 2, 4, 8, 10, 10, 10], delays);
    }

    [Fact]
    public void Exponential_delay_resets_after_running_for_the_threshold()
    {
        var backoff = RestartStrategy.ExponentialDelay(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 3, TimeSpan.FromMinutes(30), jitterFactor: 0, attemptsBeforeResetBackoff: 3)
            .CreateBackoff();
        Assert.Equal((true, TimeSpan.FromSeconds(1)), Fail(backoff, T0)); // restarts at 0:00:01
        Assert.Equal((true, TimeSpan.FromSeconds(3)), Fail(backoff, T0.AddMinutes(10))); // ran 10 min < 30: grows; restarts at 0:10:03
        Assert.Equal((true, TimeSpan.FromSeconds(9)), Fail(backoff, T0.AddMinutes(40))); // ran 29 min 57 s: still grows
        // Ran exactly 30 min since the restart at 0:40:09: backoff and attempts start over.
        var restartedAt = T0.AddMinutes(40).AddSeconds(9);
        Assert.Equal((true, TimeSpan.FromSeconds(1)), Fail(backoff, restartedAt.AddMinutes(30)));
        Assert.True(Fail(backoff, restartedAt.AddMinutes(31)).Restart);
        Assert.True(Fail(backoff, restartedAt.AddMinutes(32)).Restart);
        // Fourth failure since the reset: more than attemptsBeforeResetBackoff.
        Assert.Equal((false, TimeSpan.Zero), Fail(backoff, restartedAt.AddMinutes(33)));
    }

    [Fact]
    public void Exponential_delay_jitter_stays_within_the_factor_and_is_reproducible_by_seed()
    {
        var strategy = RestartStrategy.ExponentialDelay(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(100), 2, TimeSpan.FromHours(1), jitterFactor: 0.25);
        var first = Run(strategy, seed: 42);
        Assert.Equal(first, Run(strategy, seed: 42));
        Assert.NotEqual(first, Run(strategy, seed: 43));

        double[] expectedBackoff = [10, 20, 40, 80, 100, 100, 100, 100];
        for (int i = 0; i < first.Count; i++)
        {
            Assert.InRange(first[i], expectedBackoff[i] * 0.75, Math.Min(expectedBackoff[i] * 1.25, 100));
        }
        // Over many seeds the jitter reaches both sides of the backoff.
        var firstDelays = Enumerable.Range(0, 200).Select(seed => Run(strategy, seed)[0]).ToArray();
        Assert.Contains(firstDelays, static d => d < 9.5);
        Assert.Contains(firstDelays, static d => d > 10.5);

        static List<double> Run(RestartStrategy strategy, int seed)
        {
            var backoff = strategy.CreateBackoff(new Random(seed));
            var now = T0;
            var delays = new List<double>();
            for (int i = 0; i < 8; i++)
            {
                Assert.True(backoff.CanRestart(now, out var delay));
                delays.Add(delay.TotalSeconds);
                now += delay + TimeSpan.FromSeconds(1);
            }
            return delays;
        }
    }

    [Fact]
    public void Exponential_delay_with_a_huge_cap_does_not_overflow()
    {
        var backoff = RestartStrategy.ExponentialDelay(TimeSpan.FromDays(1), TimeSpan.MaxValue, 1000, jitterFactor: 0).CreateBackoff();
        var now = DateTimeOffset.MaxValue - TimeSpan.FromDays(400_000);
        var delays = new List<TimeSpan>();
        for (int i = 0; i < 4; i++)
        {
            Assert.True(backoff.CanRestart(now, out var delay));
            delays.Add(delay);
            now = now.AddMinutes(1);
        }
        Assert.Equal([TimeSpan.FromDays(1), TimeSpan.FromDays(1000), TimeSpan.FromDays(1_000_000), TimeSpan.MaxValue], delays);
    }

    [Fact]
    public void Defaults_per_job_follow_flinks_rule()
    {
        Assert.Equal("none", RestartStrategy.ForJob(null, checkpointingEnabled: false).Type);
        Assert.Equal("exponential-delay", RestartStrategy.ForJob(null, checkpointingEnabled: true).Type);
        var configured = RestartStrategy.FixedDelay(3);
        Assert.Same(configured, RestartStrategy.ForJob(configured, checkpointingEnabled: true));
    }

    [Fact]
    public void Each_run_gets_its_own_counters()
    {
        var strategy = RestartStrategy.FixedDelay(1);
        Assert.True(Fail(strategy.CreateBackoff(), T0).Restart);
        Assert.True(Fail(strategy.CreateBackoff(), T0).Restart);
    }

    public static TheoryData<string, Func<RestartStrategy>> InvalidArguments => new()
    {
        { "attempts", static () => RestartStrategy.FixedDelay(-1) },
        { "delay", static () => RestartStrategy.FixedDelay(1, TimeSpan.FromSeconds(-1)) },
        { "initialBackoff", static () => RestartStrategy.ExponentialDelay(initialBackoff: TimeSpan.Zero) },
        { "maxBackoff", static () => RestartStrategy.ExponentialDelay(initialBackoff: TimeSpan.FromMinutes(2)) },
        { "backoffMultiplier", static () => RestartStrategy.ExponentialDelay(backoffMultiplier: 1) },
        { "backoffMultiplier", static () => RestartStrategy.ExponentialDelay(backoffMultiplier: double.NaN) },
        { "resetBackoffThreshold", static () => RestartStrategy.ExponentialDelay(resetBackoffThreshold: TimeSpan.FromSeconds(-1)) },
        { "jitterFactor", static () => RestartStrategy.ExponentialDelay(jitterFactor: 1.5) },
        { "jitterFactor", static () => RestartStrategy.ExponentialDelay(jitterFactor: -0.1) },
        { "attemptsBeforeResetBackoff", static () => RestartStrategy.ExponentialDelay(attemptsBeforeResetBackoff: 0) },
        { "maxFailuresPerInterval", static () => RestartStrategy.FailureRate(0) },
        { "failureRateInterval", static () => RestartStrategy.FailureRate(1, TimeSpan.Zero) },
        { "delay", static () => RestartStrategy.FailureRate(1, null, TimeSpan.FromTicks(-1)) },
    };

    [Theory]
    [MemberData(nameof(InvalidArguments))]
    public void Invalid_arguments_name_the_parameter(string parameter, Func<RestartStrategy> create)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.Equal(parameter, ex.ParamName);
    }
}
