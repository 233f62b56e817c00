using DataflowCompiler.Memory;

namespace DataflowCompiler.Network;

/// <summary>Reserves a fixed number of segments up front, failing fast instead of waiting for the pool.</summary>
internal static class SegmentReservation
{
    public static MemorySegment[] Reserve(MemorySegmentPool pool, int count, string what)
    {
        // Waiting here could deadlock deployment (every task waiting for buffers the others hold),
        // so a pool that cannot serve the reservation right now is a configuration error.
        int available = pool.AvailableSegments;
        if (available < count)
        {
            throw Fail(pool, count, what, available);
        }
        var segments = new MemorySegment[count];
        for (int i = 0; i < count; i++)
        {
            if (!pool.TryRent(out segments[i]))
            {
                // Someone else rented concurrently; give back what we took so the failure leaks nothing.
                for (int j = 0; j < i; j++)
                {
                    segments[j].Return();
                }
                throw Fail(pool, count, what, pool.AvailableSegments);
            }
        }
        return segments;
    }

    private static InvalidOperationException Fail(MemorySegmentPool pool, int count, string what, int available) =>
        new($"{what} needs {count} network buffers, but pool '{pool.Name}' has only {available} of {pool.TotalSegments} available right now. " +
            "Raise the network memory budget or lower the buffer counts in NetworkSettings.");
}
