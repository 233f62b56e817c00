namespace DataflowCompiler;

/// <summary>
/// Start a job from a savepoint or a retained checkpoint (Flink's <c>execution.savepoint.path</c> and
/// <c>execution.savepoint.ignore-unclaimed-state</c>).
/// </summary>
/// <param name="Path">The savepoint or checkpoint directory (<c>…/savepoint-xxxx</c>, <c>…/chk-7</c>) or its <c>_metadata</c> file.</param>
/// <param name="AllowNonRestoredState">Drop state of operators the job no longer has instead of failing the start.</param>
public sealed record SavepointRestoreSettings(string Path, bool AllowNonRestoredState = false);
