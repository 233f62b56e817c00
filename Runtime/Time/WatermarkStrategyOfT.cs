namespace DataflowCompiler.Time;

/// <summary>
/// How a stream gets its event time: a timestamp assigner for the records and a watermark generator per
/// parallel subtask, optionally with idleness detection. Immutable: the <c>With…</c> methods return new strategies.
/// Create one with the factories of <see cref="WatermarkStrategy"/>.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class WatermarkStrategy<T>
{
    private readonly Func<WatermarkGeneratorContext, IWatermarkGenerator<T>> _generatorFactory;
    private readonly Func<WatermarkGeneratorContext, Func<T, long, long>>? _assignerFactory;

    internal WatermarkStrategy(Func<WatermarkGeneratorContext, IWatermarkGenerator<T>> generatorFactory,
        Func<WatermarkGeneratorContext, Func<T, long, long>>? assignerFactory, TimeSpan? idleTimeout)
    {
        _generatorFactory = generatorFactory;
        _assignerFactory = assignerFactory;
        IdleTimeout = idleTimeout;
    }

    /// <summary>How long an input may go without records before it is marked idle; null: never.</summary>
    public TimeSpan? IdleTimeout { get; }

    /// <summary>
    /// Takes each record's timestamp from <paramref name="assigner"/>, which gets the record and the timestamp
    /// it already has (<see cref="long.MinValue"/> if none).
    /// </summary>
    public WatermarkStrategy<T> WithTimestampAssigner(Func<T, long, long> assigner)
    {
        ArgumentNullException.ThrowIfNull(assigner);
        return new WatermarkStrategy<T>(_generatorFactory, _ => assigner, IdleTimeout);
    }

    /// <summary>Takes each record's timestamp from <paramref name="timestamp"/>.</summary>
    public WatermarkStrategy<T> WithTimestampAssigner(Func<T, long> timestamp)
    {
        ArgumentNullException.ThrowIfNull(timestamp);
        return WithTimestampAssigner((record, _) => timestamp(record));
    }

    /// <summary>
    /// Marks the input idle when it has produced no record for <paramref name="idleTimeout"/> of processing time
    /// (checked at every periodic emission), so it does not hold back the watermark downstream; the next record
    /// makes it active again.
    /// </summary>
    public WatermarkStrategy<T> WithIdleness(TimeSpan idleTimeout)
    {
        if (idleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(idleTimeout), idleTimeout, "The idle timeout must be positive.");
        }
        return new WatermarkStrategy<T>(_generatorFactory, _assignerFactory, idleTimeout);
    }

    /// <summary>Creates the generator of one subtask, wrapped for idleness if asked.</summary>
    internal IWatermarkGenerator<T> CreateWatermarkGenerator(WatermarkGeneratorContext context)
    {
        var generator = _generatorFactory(context) ?? throw new InvalidOperationException(
            $"The watermark generator factory of operator '{context.OperatorName}' returned null.");
        return IdleTimeout is { } timeout ? new WatermarksWithIdleness<T>(generator, timeout, context.TimeProvider) : generator;
    }

    /// <summary>The timestamp assigner of one subtask, or null to keep the timestamps records already have.</summary>
    internal Func<T, long, long>? CreateTimestampAssigner(WatermarkGeneratorContext context) => _assignerFactory?.Invoke(context);
}
