namespace DataflowCompiler.Runtime.Tests.Windowing;

/// <summary>One element as it arrives: its key, event timestamp and value.</summary>
internal readonly record struct Arrival(int Key, long Timestamp, long Value);

/// <summary>
/// Independent references for the window properties, written without any of the operator's code: windows are
/// found by scanning candidate starts, sessions by interval overlap. The simulations follow Flink's documented
/// rules: a window fires when the watermark passes its end, fires again for each element that arrives within
/// the allowed lateness, and an element all of whose windows are past end + lateness is late.
/// </summary>
internal static class WindowReference
{
    /// <summary>The windows [start, start + size) with start ≡ offset (mod slide) that contain <paramref name="ts"/>, by scanning.</summary>
    public static IEnumerable<(long Start, long End)> FixedWindowsOf(long ts, long size, long slide, long offset)
    {
        for (long start = ts - size + 1; start <= ts; start++)
        {
            long phase = (start - offset) % slide;
            if (phase == 0)
            {
                yield return (start, start + size);
            }
        }
    }

    /// <summary>
    /// Non-merging event-time windows: the firings (with their timestamps) and the late elements for arrivals
    /// followed each by the watermark max(timestamp) − bound − 1, then the final watermark.
    /// </summary>
    public static (List<(Firing, long)> Firings, List<Arrival> Late) FixedWindows(
        IReadOnlyList<Arrival> arrivals, Func<long, IEnumerable<(long Start, long End)>> windowsOf, long bound, long lateness)
    {
        var firings = new List<(Firing, long)>();
        var late = new List<Arrival>();
        var contents = new Dictionary<(int Key, long Start, long End), (long Sum, long Count)>();
        long watermark = long.MinValue;
        long maxTimestamp = long.MinValue;

        void Fire((int Key, long Start, long End) w) =>
            firings.Add((new Firing(w.Key, w.End - 1, contents[w].Sum, contents[w].Count), w.End - 1));

        void Advance(long newWatermark)
        {
            if (newWatermark <= watermark)
            {
                return;
            }
            foreach (var w in contents.Keys.Where(w => w.End - 1 > watermark && w.End - 1 <= newWatermark).ToList())
            {
                Fire(w);
            }
            watermark = newWatermark;
            foreach (var w in contents.Keys.Where(w => Add(w.End - 1, lateness) <= watermark).ToList())
            {
                contents.Remove(w);
            }
        }

        foreach (var a in arrivals)
        {
            bool inSomeWindow = false;
            foreach (var (start, end) in windowsOf(a.Timestamp))
            {
                if (Add(end - 1, lateness) <= watermark)
                {
                    continue;
                }
                inSomeWindow = true;
                var w = (a.Key, start, end);
                var (sum, count) = contents.GetValueOrDefault(w);
                contents[w] = (sum + a.Value, count + 1);
                if (end - 1 <= watermark)
                {
                    Fire(w);
                }
            }
            if (!inSomeWindow && Add(a.Timestamp, lateness) <= watermark)
            {
                late.Add(a);
            }
            maxTimestamp = Math.Max(maxTimestamp, a.Timestamp);
            Advance(maxTimestamp - bound - 1);
        }
        Advance(long.MaxValue);
        return (firings, late);
    }

    /// <summary>
    /// Event-time session windows as live intervals per key: a new element's interval [ts, ts + gap) joins every
    /// live session it overlaps or touches; it is late when it joins none and its own end + lateness has passed.
    /// </summary>
    public static (List<(Firing, long)> Firings, List<Arrival> Late) Sessions(IReadOnlyList<Arrival> arrivals, long gap, long bound, long lateness)
    {
        var firings = new List<(Firing, long)>();
        var late = new List<Arrival>();
        var live = new List<(int Key, long Start, long End, long Sum, long Count)>();
        long watermark = long.MinValue;
        long maxTimestamp = long.MinValue;

        void Fire((int Key, long Start, long End, long Sum, long Count) s) => firings.Add((new Firing(s.Key, s.End - 1, s.Sum, s.Count), s.End - 1));

        foreach (var a in arrivals)
        {
            var session = (a.Key, Start: a.Timestamp, End: a.Timestamp + gap, Sum: a.Value, Count: 1L);
            bool joined = false;
            bool grew = true;
            while (grew)
            {
                grew = false;
                for (int i = 0; i < live.Count; i++)
                {
                    var s = live[i];
                    if (s.Key == a.Key && s.Start <= session.End && s.End >= session.Start)
                    {
                        session = (a.Key, Math.Min(s.Start, session.Start), Math.Max(s.End, session.End), s.Sum + session.Sum, s.Count + session.Count);
                        live.RemoveAt(i);
                        joined = grew = true;
                        break;
                    }
                }
            }
            if (!joined && Add(session.End - 1, lateness) <= watermark)
            {
                late.Add(a);
            }
            else
            {
                live.Add(session);
                if (session.End - 1 <= watermark)
                {
                    Fire(session);
                }
            }
            maxTimestamp = Math.Max(maxTimestamp, a.Timestamp);
            long newWatermark = maxTimestamp - bound - 1;
            if (newWatermark > watermark)
            {
                foreach (var s in live.Where(s => s.End - 1 > watermark && s.End - 1 <= newWatermark))
                {
                    Fire(s);
                }
                watermark = newWatermark;
                live.RemoveAll(s => Add(s.End - 1, lateness) <= watermark);
            }
        }
        foreach (var s in live.Where(s => s.End - 1 > watermark))
        {
            Fire(s);
        }
        return (firings, late);
    }

    /// <summary>Sessions of one key as consecutive timestamps at most <paramref name="gap"/> apart (no lateness involved).</summary>
    public static List<(Firing, long)> GapSessions(IReadOnlyList<Arrival> arrivals, long gap)
    {
        var firings = new List<(Firing, long)>();
        foreach (var group in arrivals.GroupBy(a => a.Key))
        {
            var sorted = group.OrderBy(a => a.Timestamp).ToList();
            int first = 0;
            for (int i = 1; i <= sorted.Count; i++)
            {
                if (i == sorted.Count || sorted[i].Timestamp - sorted[i - 1].Timestamp > gap)
                {
                    var members = sorted.GetRange(first, i - first);
                    long end = members[^1].Timestamp + gap;
                    firings.Add((new Firing(group.Key, end - 1, members.Sum(m => m.Value), members.Count), end - 1));
                    first = i;
                }
            }
        }
        return firings;
    }

    /// <summary>Fixed windows grouped by their bounds: one firing per non-empty (key, window).</summary>
    public static List<(Firing, long)> GroupByWindow(IReadOnlyList<Arrival> arrivals, Func<long, IEnumerable<(long Start, long End)>> windowsOf) =>
        arrivals
            .SelectMany(a => windowsOf(a.Timestamp).Select(w => (a.Key, w.End, a.Value)))
            .GroupBy(x => (x.Key, x.End))
            .Select(g => (new Firing(g.Key.Key, g.Key.End - 1, g.Sum(x => x.Value), g.Count()), g.Key.End - 1))
            .ToList();

    public static List<(Firing, long)> Sorted(IEnumerable<(Firing F, long Ts)> firings) =>
        firings.OrderBy(f => f.Ts).ThenBy(f => f.F.Key).ThenBy(f => f.F.Sum).ThenBy(f => f.F.Count).ToList();

    private static long Add(long a, long b) => b > 0 && a > long.MaxValue - b ? long.MaxValue : a + b;
}
