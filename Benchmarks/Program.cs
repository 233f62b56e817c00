using BenchmarkDotNet.Running;

namespace DataflowCompiler.Benchmarks;

/// <summary>Runs the suites: <c>dotnet run -c Release --project Benchmarks -- --filter '*'</c> (see docs/benchmarks.md).</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
