namespace DataflowCompiler.Time;

/// <summary>
/// A timer: a timestamp for a key (with its key group, so timers can be snapshotted and redistributed per key
/// group like keyed state) and a namespace (a window, or <see cref="VoidNamespace"/>). Equal timers are one timer.
/// </summary>
internal readonly record struct InternalTimer<TKey, TNamespace>(long Timestamp, TKey Key, TNamespace Namespace, int KeyGroup);
