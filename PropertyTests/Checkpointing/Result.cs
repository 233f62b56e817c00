using DataflowCompiler.Serialization;

namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>
/// What every exactly-once job commits. <see cref="Kind"/> separates the kinds of output of one job (a keyed process
/// function emits per-record results and timer results); per key and kind the order of the results is deterministic.
/// </summary>
[DataflowSerializable]
public readonly record struct Result(int Key, int Kind, long A, long B, long C)
{
    public string Format() => $"{Key},{Kind},{A},{B},{C}";

    public static Result Parse(string line)
    {
        var p = line.Split(',');
        return new Result(int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture), long.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(p[4], System.Globalization.CultureInfo.InvariantCulture));
    }
}
