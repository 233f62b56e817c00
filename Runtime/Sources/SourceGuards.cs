namespace DataflowCompiler.Sources;

/// <summary>Checks shared by the sources' <c>CreateReader</c>.</summary>
internal static class SourceGuards
{
    /// <summary>
    /// A non-parallel source run at parallelism &gt; 1 would read its input once per subtask, so
    /// refuse it loudly instead of duplicating records.
    /// </summary>
    public static void RequireNonParallel(SourceReaderContext context, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Parallelism != 1)
            throw new ArgumentException(
                $"The {sourceName} source is non-parallel (max parallelism 1) but task '{context.TaskName}' runs it at parallelism {context.Parallelism}; set the source's parallelism to 1.",
                nameof(context));
    }
}
