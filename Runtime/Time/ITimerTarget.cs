namespace DataflowCompiler.Time;

/// <summary>What a timer service calls when a timer fires (Flink's Triggerable); the timer's key is already the current key.</summary>
internal interface ITimerTarget<TKey, TNamespace>
{
    void OnEventTime(in InternalTimer<TKey, TNamespace> timer);

    void OnProcessingTime(in InternalTimer<TKey, TNamespace> timer);
}
