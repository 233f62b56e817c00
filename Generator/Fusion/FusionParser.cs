using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace DataflowCompiler.Generator.Fusion;

/// <summary>
/// Turns a [DataflowJob] class into a <see cref="JobSpec"/>: walks each fluent chain of its Define method,
/// checks the fusion rules (docs/fusion.md), cuts the chain where the runtime's JobGraph cuts it, and
/// captures everything the emitter needs as strings. Nothing of Roslyn's object model leaves this class.
/// </summary>
internal static class FusionParser
{
    /// <summary>The marker a FlatMap lambda's <c>collector.Collect</c> becomes; the emitter points it at the next operator.</summary>
    public const string EmitMarker = "__dataflow_emit";

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static JobSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellation)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not ClassDeclarationSyntax declaration)
        {
            return null;
        }
        // The analyzer reports a job class of the wrong shape; the generator leaves it to the interpreter.
        if (!type.IsStatic || type.ContainingType is not null || type.IsGenericType || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword)
            || !IsAccessible(type))
        {
            return null;
        }
        var define = declaration.Members.OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.Identifier.ValueText == "Define"
            && m.Modifiers.Any(SyntaxKind.StaticKeyword) && m.ParameterList.Parameters.Count == 1);
        if (define is null)
        {
            return null;
        }
        var model = context.SemanticModel;
        if (model.GetDeclaredSymbol(define, cancellation) is not IMethodSymbol defineSymbol
            || defineSymbol.Parameters[0].Type.ToDisplayString() != "DataflowCompiler.StreamEnvironment")
        {
            return null;
        }
        var statements = new List<(ExpressionSyntax Expression, int Line)>();
        var notes = new List<string>();
        if (define.ExpressionBody is { } arrow)
        {
            statements.Add((arrow.Expression, Line(arrow.Expression)));
        }
        else if (define.Body is { } body)
        {
            foreach (var statement in body.Statements)
            {
                if (statement is ExpressionStatementSyntax expression)
                {
                    statements.Add((expression.Expression, Line(statement)));
                }
                else
                {
                    notes.Add($"line {Line(statement)}: not fused: only expression statements holding one fluent chain are fused (this is a {statement.Kind()}).");
                }
            }
        }

        string fullName = type.ToDisplayString();
        var job = new JobBuilder(fullName);
        foreach (var (expression, line) in statements)
        {
            cancellation.ThrowIfCancellationRequested();
            var chain = new ChainParser(model, defineSymbol.Parameters[0], job, cancellation);
            string? reason = chain.Parse(expression);
            if (reason is null)
            {
                job.Commit(chain);
                if (chain.Truncated is { } truncated)
                {
                    notes.Add($"line {line}: fused up to the last KeyBy; {truncated}");
                }
            }
            else
            {
                notes.Add($"line {line}: not fused: {reason}");
            }
        }

        var usings = new List<string>();
        for (SyntaxNode? node = declaration.Parent; node is not null; node = node.Parent)
        {
            var list = node switch
            {
                CompilationUnitSyntax unit => unit.Usings,
                BaseNamespaceDeclarationSyntax ns => ns.Usings,
                _ => default,
            };
            usings.InsertRange(0, list.Select(u => u.WithoutTrivia().ToString()));
        }
        string? @namespace = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        return new JobSpec(@namespace, type.Name, fullName, new EquatableArray<string>(usings.Distinct()), new EquatableArray<InterceptorSpec>(job.Interceptors),
            new EquatableArray<ChainSpec>(job.Chains), new EquatableArray<string>(notes));
    }

    private static int Line(SyntaxNode node) => node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;

    internal static string TypeName(ITypeSymbol type) => type.ToDisplayString(TypeFormat);

    /// <summary>Generated interceptors live in another namespace, so every type they name must be visible in the assembly.</summary>
    internal static bool IsAccessible(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => IsAccessible(array.ElementType),
        ITypeParameterSymbol => false,
        INamedTypeSymbol named => (named.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal
                || named.SpecialType != SpecialType.None)
            && (named.ContainingType is null || IsAccessible(named.ContainingType))
            && named.TypeArguments.All(IsAccessible),
        _ => false,
    };

    /// <summary>Accumulates the interceptors and chains of the statements that fuse.</summary>
    private sealed class JobBuilder(string fullName)
    {
        public string FullName { get; } = fullName;
        public List<InterceptorSpec> Interceptors { get; } = new();
        public List<ChainSpec> Chains { get; } = new();
        public int NextSite { get; set; }

        public void Commit(ChainParser chain)
        {
            Interceptors.AddRange(chain.Interceptors);
            foreach (var (sourceHeaded, inputType, ops, output) in chain.Chains)
            {
                string signature = string.Join(" -> ", ops.Select(o => o.Signature));
                if (output is not null)
                {
                    signature += $" => {output.Partitioner}<{output.SignatureType}>";
                }
                string key = signature + " @ " + string.Join(" ", ops.Select(o => o.Spec.Site));
                Chains.Add(new ChainSpec(Chains.Count + 1, key, sourceHeaded, inputType, new EquatableArray<OperatorSpec>(ops.Select(o => o.Spec)),
                    output?.Spec));
            }
        }
    }

    private sealed class Draft(OperatorSpec spec, string signature, string outputDisplay, int? parallelism)
    {
        public OperatorSpec Spec { get; set; } = spec;
        public string Signature { get; } = signature;
        public string OutputDisplay { get; } = outputDisplay;
        public int? Parallelism { get; set; } = parallelism;
    }

    private sealed class OutputDraft(OutputSpec spec, string signatureType)
    {
        public OutputSpec Spec { get; } = spec;
        public string Partitioner => Spec.Partitioner;
        public string SignatureType { get; } = signatureType;
    }

    /// <summary>Parses one fluent chain statement; <see cref="Parse"/> returns why it cannot fuse, or null.</summary>
    private sealed class ChainParser(SemanticModel model, IParameterSymbol environment, JobBuilder job, CancellationToken cancellation)
    {
        private readonly List<List<Draft>> _segments = new();
        private readonly List<OutputDraft?> _segmentOutputs = new();
        private readonly List<string> _segmentInputs = new();
        private ITypeSymbol? _current;
        private (ITypeSymbol Key, FunctionSpec Selector)? _pendingKey;
        private bool _sinkSeen;
        private int _site;
        // Set between KeyBy(...).Window(assigner) and its Aggregate/Reduce: the window's key is _pendingKey.
        private bool _windowPending;

        public List<InterceptorSpec> Interceptors { get; } = new();

        /// <summary>Set when the statement fuses only up to a KeyBy: what runs interpreted from there, and why.</summary>
        public string? Truncated { get; private set; }

        public List<(bool SourceHeaded, string InputType, List<Draft> Ops, OutputDraft? Output)> Chains { get; } = new();

        public string? Parse(ExpressionSyntax expression)
        {
            var calls = new List<InvocationExpressionSyntax>();
            var root = expression;
            while (root is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation)
            {
                calls.Add(invocation);
                root = access.Expression;
            }
            calls.Reverse();
            if (calls.Count == 0 || root is not IdentifierNameSyntax
                || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(root, cancellation).Symbol, environment))
            {
                return "the statement is not a fluent chain rooted at the environment parameter (chains rooted at locals are not fused yet).";
            }
            _site = job.NextSite;
            foreach (var call in calls)
            {
                string? reason = model.GetSymbolInfo(call, cancellation).Symbol is IMethodSymbol method
                    ? ParseCall(call, method)
                    : $"the call '{Name(call)}' does not bind to one method.";
                if (reason is null)
                {
                    continue;
                }
                string stop = _windowPending ? "Window" : Name(call);
                if (!StopAtKeyBy())
                {
                    return reason;
                }
                // Directly after a KeyBy the runtime starts a new chain, so the chains before it fuse on their own.
                Truncated = $"'{stop}' and what follows run interpreted: {reason}";
                break;
            }
            if (!_sinkSeen && Truncated is null)
            {
                return "the chain does not end in a sink.";
            }
            string? cut = Cut();
            if (cut is not null)
            {
                return cut;
            }
            job.NextSite = _site;
            return null;
        }

        /// <summary>Whether the statement can stop here and fuse what came before: right after a KeyBy, with a chain before it.</summary>
        private bool StopAtKeyBy()
        {
            if (_pendingKey is null || _segments.Count < 2 || _segments[_segments.Count - 1].Count > 0)
            {
                return false;
            }
            _segments.RemoveAt(_segments.Count - 1);
            _segmentInputs.RemoveAt(_segmentInputs.Count - 1);
            _pendingKey = null;
            return true;
        }

        private static string Name(InvocationExpressionSyntax call) => ((MemberAccessExpressionSyntax)call.Expression).Name.Identifier.ValueText;

        private string NextSite() => $"{job.FullName}#{++_site}";

        private string? ParseCall(InvocationExpressionSyntax call, IMethodSymbol method)
        {
            string owner = method.ContainingType.OriginalDefinition.ToDisplayString();
            string name = method.Name;
            var args = call.ArgumentList.Arguments;
            if (_sinkSeen)
            {
                return owner.StartsWith("DataflowCompiler.DataStreamSink") && name is "Name" or "Uid"
                    ? null
                    : $"'{name}' after the sink is not fused.";
            }
            if (owner == "DataflowCompiler.StreamEnvironment")
            {
                return ParseSource(call, method);
            }
            if (_current is null)
            {
                return $"'{name}' before a source.";
            }
            if (owner == "DataflowCompiler.WindowedStream<T, TKey, W>")
            {
                return ParseWindowFunction(call, method);
            }
            if (_windowPending)
            {
                return $"'{name}' on a windowed stream is not fused.";
            }
            bool keyed = owner == "DataflowCompiler.KeyedStream<TKey, T>";
            if (keyed && name == "Window")
            {
                return ParseWindow(call, method);
            }
            if (!keyed && owner != "DataflowCompiler.DataStream<T>")
            {
                return $"'{owner}.{name}' is not a fusable operation.";
            }
            switch (name)
            {
                case "Name" or "Uid":
                    return null;
                case "SetParallelism" or "SetMaxParallelism":
                    if (model.GetConstantValue(args[0].Expression, cancellation) is not { HasValue: true, Value: int value })
                    {
                        return $"{name} takes a non-literal value, so the chain's shape is not known at compile time.";
                    }
                    if (name == "SetParallelism")
                    {
                        _segments[_segments.Count - 1][_segments[_segments.Count - 1].Count - 1].Parallelism = value;
                    }
                    return null;
                case "KeyBy":
                    {
                        var keyType = method.TypeArguments[0];
                        var selector = Function(args[0].Expression, method.Parameters[0].Type, out string? why);
                        if (selector is null)
                        {
                            return $"KeyBy: {why}";
                        }
                        if (!IsAccessible(keyType))
                        {
                            return $"KeyBy: the key type {keyType.ToDisplayString()} is not visible to generated code.";
                        }
                        _segmentOutputs.Add(new OutputDraft(new OutputSpec("hash", TypeName(_current), TypeName(keyType), selector), SignatureNames.Display(_current)));
                        _segments.Add(new List<Draft>());
                        _segmentInputs.Add(TypeName(_current));
                        _pendingKey = (keyType, selector);
                        return null;
                    }
                case "Map" or "Filter" or "FlatMap" or "Process" or "Reduce" or "Sum" or "Min" or "Max":
                    return ParseOperator(call, method, keyed);
                case "SinkTo" or "Print" or "CollectToList" or "WriteAsText":
                    return ParseSink(call, method);
                case "AssignTimestampsAndWatermarks" when !keyed && _segments[_segments.Count - 1].FirstOrDefault()?.Spec.Kind == "Window":
                    // The window fires by the chain's input watermarks; an assigner after it in the same chain replaces them.
                    return "AssignTimestampsAndWatermarks in the chain of a window is not fused (the window fires by the watermarks the assigner would drop).";
                case "AssignTimestampsAndWatermarks" when !keyed:
                    {
                        // Runs the runtime strategy object (its assigner and generator) per record; the emitter reads it from the operator.
                        string site = NextSite();
                        AddInterceptor(call, method, site, "State:" + method.Parameters[0].Name, _current);
                        AddOperator(new OperatorSpec("TimestampsAndWatermarks", TypeName(_current), TypeName(_current), site, InlineAssigner(args[0].Expression),
                            "", null, "", assignsTimestamps: true), _current, _current);
                        return null;
                    }
                default:
                    return $"'{name}' is not fused yet (fused: Map, Filter, FlatMap, Process, KeyBy, Reduce, Sum, Min, Max, Window(...).Aggregate/Reduce, " +
                        "AssignTimestampsAndWatermarks, sinks).";
            }
        }

        /// <summary>
        /// <c>KeyBy(...).Window(assigner)</c>: adds no operator (the runtime adds the window node with its function), so it is only
        /// checked here. The assigner is a runtime object; its settings reach the fused chain at run time, and the runtime refuses a
        /// window the slice table cannot run (an assigner from a field that turns out to be a session one, a key serializer).
        /// </summary>
        private string? ParseWindow(InvocationExpressionSyntax call, IMethodSymbol method)
        {
            if (_pendingKey is not { } key || _segments[_segments.Count - 1].Count > 0)
            {
                return "Window is not directly after KeyBy.";
            }
            if (method.TypeArguments[0].ToDisplayString() != "DataflowCompiler.Windowing.TimeWindow")
            {
                return $"Window: only time windows fuse (this one has {method.TypeArguments[0].Name}).";
            }
            string assigner = model.GetTypeInfo(call.ArgumentList.Arguments[0].Expression, cancellation).Type?.ToDisplayString() ?? "";
            if (assigner.StartsWith("DataflowCompiler.Windowing.", System.StringComparison.Ordinal)
                && assigner is not ("DataflowCompiler.Windowing.TumblingEventTimeWindows" or "DataflowCompiler.Windowing.SlidingEventTimeWindows")
                && assigner != "DataflowCompiler.Windowing.WindowAssigner<DataflowCompiler.Windowing.TimeWindow>")
            {
                return $"Window: the assigner {assigner.Substring("DataflowCompiler.Windowing.".Length)} is not fused (fused: event-time tumbling and sliding windows, " +
                    "which run on the slice table).";
            }
            if (!key.Key.IsUnmanagedType)
            {
                return $"Window: the key type {key.Key.ToDisplayString()} is not an unmanaged type (the fused window keeps keys as raw bytes).";
            }
            _windowPending = true;
            return null;
        }

        /// <summary>
        /// The window function after <c>Window(...)</c>: <c>Aggregate(sealed aggregate object)</c> or <c>Reduce(non-capturing lambda, static
        /// method group or sealed reduce object)</c>. Triggers, evictors, lateness, late-data side outputs, process window functions and
        /// incremental + process combinations keep the window interpreted (the statement fuses up to the KeyBy).
        /// </summary>
        private string? ParseWindowFunction(InvocationExpressionSyntax call, IMethodSymbol method)
        {
            string name = method.Name;
            if (!_windowPending)
            {
                return $"'{name}' on a windowed stream that is not KeyBy(...).Window(...).";
            }
            if (name is not ("Aggregate" or "Reduce") || method.Parameters.Length != 1)
            {
                return name switch
                {
                    "Trigger" => "the window has a trigger of its own (fused windows fire by the watermark with the default trigger).",
                    "Evictor" => "the window has an evictor (fused windows keep one accumulator per slice, not the elements).",
                    "AllowedLateness" => "the window has allowed lateness (fused windows do not fire again for late elements).",
                    "SideOutputLateData" => "the window sends late data to a side output (fused chains have no side outputs).",
                    "Process" => "a process window function needs all elements of its window (fused windows keep one accumulator per slice).",
                    _ => $"the window function '{name}' with {method.Parameters.Length} arguments is not fused (fused: Aggregate(f) and Reduce(f)).",
                };
            }
            var input = _current!;
            var output = ((INamedTypeSymbol)method.ReturnType).TypeArguments[0];
            var argument = call.ArgumentList.Arguments[0].Expression;
            var function = Function(argument, method.Parameters[0].Type, out string? why);
            if (function is null)
            {
                return $"Window {name}: {why}";
            }
            if (function.IsRich)
            {
                return $"Window {name}: rich window functions are not fused yet.";
            }
            string accumulator = name == "Aggregate" ? TypeName(method.TypeArguments[0]) : TypeName(input);
            if (name == "Aggregate" && (function.Form != "Object" || !IsAccessible(method.TypeArguments[0])))
            {
                return "Window Aggregate: the aggregate function must be a sealed class whose accumulator type is visible to generated code.";
            }
            if (!IsAccessible(output))
            {
                return $"Window {name}: the record type {output.ToDisplayString()} is not visible to generated code.";
            }
            var key = _pendingKey!.Value;
            string site = NextSite();
            AddInterceptor(call, method, site, function.Form == "Object" ? "State:" + method.Parameters[0].Name : "Plain", output);
            AddOperator(new OperatorSpec("Window", TypeName(input), TypeName(output), site, function, TypeName(key.Key), key.Selector, name,
                accumulatorType: accumulator), input, output);
            _windowPending = false;
            _current = output;
            return null;
        }

        private string? ParseSource(InvocationExpressionSyntax call, IMethodSymbol method)
        {
            if (_current is not null)
            {
                return $"'{method.Name}' in the middle of a chain.";
            }
            // FromSource(source, watermarkStrategy, name): the fused source runs the strategy per record, as the interpreted one.
            bool watermarks = method.Name == "FromSource" && method.Parameters.Any(p => p.Name == "watermarkStrategy");
            string shape = method.Name switch
            {
                "FromSequence" => "Sequence",
                "FromElements" or "FromCollection" => "Collection",
                "FromGenerator" => "Generator",
                "ReadTextFile" => "ReadTextFile",
                "FromSource" when watermarks => "WatermarkedSource",
                "FromSource" => "State:source",
                _ => "",
            };
            if (shape == "")
            {
                return $"the source '{method.Name}' is not fused yet.";
            }
            var element = ((INamedTypeSymbol)method.ReturnType).TypeArguments[0];
            if (!IsAccessible(element))
            {
                return $"the record type {element.ToDisplayString()} is not visible to generated code.";
            }
            string site = NextSite();
            AddInterceptor(call, method, site, shape, element);
            _current = element;
            var strategy = watermarks ? call.ArgumentList.Arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == "watermarkStrategy")
                ?? call.ArgumentList.Arguments[1] : null;
            var spec = new OperatorSpec("Source", "", TypeName(element), site, strategy is null ? null : InlineAssigner(strategy.Expression), "", null,
                shape == "Sequence" ? "Sequence" : "", assignsTimestamps: watermarks);
            _segments.Add(new List<Draft> { new(spec, $"Source<→{SignatureNames.Display(element)}>", SignatureNames.Display(element), null) });
            _segmentInputs.Add("");
            return null;
        }

        private string? ParseSink(InvocationExpressionSyntax call, IMethodSymbol method)
        {
            var element = _current!;
            string shape = method.Name switch
            {
                "SinkTo" => "State:sink",
                "Print" => "Print",
                "CollectToList" => "Collect",
                _ => "TextFile",
            };
            string site = NextSite();
            AddInterceptor(call, method, site, shape, element);
            AddOperator(new OperatorSpec("Sink", TypeName(element), TypeName(element), site, null, "", null, ""), element, element);
            _sinkSeen = true;
            return null;
        }

        private string? ParseOperator(InvocationExpressionSyntax call, IMethodSymbol method, bool keyedReceiver)
        {
            var input = _current!;
            var output = ((INamedTypeSymbol)method.ReturnType).TypeArguments[0];
            if (!IsAccessible(output))
            {
                return $"{method.Name}: the record type {output.ToDisplayString()} is not visible to generated code.";
            }
            string kind = method.Name;
            bool keyed = keyedReceiver;
            if (kind == "Process" && keyed)
            {
                kind = "KeyedProcess";
            }
            var argument = call.ArgumentList.Arguments[0].Expression;
            var parameterType = method.Parameters[0].Type;
            FunctionSpec? function;
            string field = "";
            string? why = null;
            if (kind is "Sum" or "Min" or "Max")
            {
                function = null;
                if (!FieldOf(argument, input, out field, out why))
                {
                    return $"{kind}: {why}";
                }
            }
            else
            {
                function = Function(argument, parameterType, out why);
                if (function is null)
                {
                    return $"{kind}: {why}";
                }
                if (kind is "Process" or "KeyedProcess" && function.Form != "Object")
                {
                    return $"{kind}: the function must be a sealed ProcessFunction type.";
                }
                if (keyed && kind is "Map" or "FlatMap" && function.IsRich)
                {
                    return $"{kind}: rich functions with keyed state on a keyed stream are not fused yet.";
                }
            }
            bool isKeyedOperator = kind is "Reduce" or "Sum" or "Min" or "Max" or "KeyedProcess";
            if (isKeyedOperator && _pendingKey is null)
            {
                return $"{kind} is not directly after KeyBy.";
            }
            string site = NextSite();
            string shape = function?.Form == "Object" ? "State:" + method.Parameters[0].Name : "Plain";
            AddInterceptor(call, method, site, shape, output);
            var key = isKeyedOperator ? _pendingKey : null;
            AddOperator(new OperatorSpec(kind, TypeName(input), TypeName(output), site, function,
                key is { } k ? TypeName(k.Key) : "", key?.Selector, field,
                flatState: kind is "Reduce" or "Sum" or "Min" or "Max" && key is { Key.IsUnmanagedType: true }
                    && input is { IsValueType: true, OriginalDefinition.SpecialType: not SpecialType.System_Nullable_T }), input, output);
            _current = output;
            return null;
        }

        private void AddOperator(OperatorSpec spec, ITypeSymbol input, ITypeSymbol output)
        {
            _segments[_segments.Count - 1].Add(new Draft(spec, $"{spec.Kind}<{SignatureNames.Display(input)}→{SignatureNames.Display(output)}>",
                SignatureNames.Display(output), null));
            _pendingKey = null;
        }

        private void AddInterceptor(InvocationExpressionSyntax call, IMethodSymbol method, string site, string shape, ITypeSymbol element)
        {
#pragma warning disable RSEXPERIMENTAL002 // The interceptable-location API is what the compiler's own generators use.
            var location = model.GetInterceptableLocation(call, cancellation)!;
#pragma warning restore RSEXPERIMENTAL002
            string receiver = TypeName(method.ContainingType);
            var parameters = method.Parameters.Select(p => new ParameterSpec(TypeName(p.Type), p.Name, p.IsParams));
            Interceptors.Add(new InterceptorSpec(location.Version, location.Data, method.Name, receiver, TypeName(method.ReturnType),
                new EquatableArray<ParameterSpec>(parameters), site, shape, TypeName(element)));
        }

        /// <summary>Cuts the segments into chains as the JobGraph will (a source followed by operators gets two variants; see docs/fusion.md).</summary>
        private string? Cut()
        {
            for (int s = 0; s < _segments.Count; s++)
            {
                var ops = _segments[s];
                // The last segment has an output only when the statement stopped right after a KeyBy (its hash edge).
                var output = s < _segmentOutputs.Count ? _segmentOutputs[s] : null;
                if (ops.Count == 0)
                {
                    return "KeyBy is not followed by an operator.";
                }
                for (int i = 1; i < ops.Count; i++)
                {
                    if (ops[i].Parallelism != ops[i - 1].Parallelism && !(i == 1 && s == 0))
                    {
                        return $"'{ops[i].Spec.Kind}' sets a parallelism different from its predecessor's, so whether they chain depends on the environment.";
                    }
                }
                bool sourceHeaded = s == 0;
                if (sourceHeaded && ops.Count > 1)
                {
                    // Chained with the source when the parallelism matches at run time (always for parallel sources without
                    // settings, at parallelism 1 for the others) ... otherwise the source is a chain of its own, rebalancing
                    // into the rest. Both are emitted; the runtime picks the one whose key matches the chain it built.
                    Chains.Add((true, "", ops, output));
                    string type = ops[0].Spec.OutputType;
                    var element = ops[1].Spec.InputType;
                    Chains.Add((true, "", ops.Take(1).ToList(), new OutputDraft(new OutputSpec("rebalance", type, "", null), ops[0].OutputDisplay)));
                    Chains.Add((false, element, ops.Skip(1).ToList(), output));
                }
                else
                {
                    Chains.Add((sourceHeaded, _segmentInputs[s], ops, output));
                }
            }
            return null;
        }

        /// <summary>Captures user code passed as a lambda, a static method group or a sealed function object; null with the reason if it cannot fuse.</summary>
        private FunctionSpec? Function(ExpressionSyntax argument, ITypeSymbol parameterType, out string? why)
        {
            why = null;
            bool isDelegate = parameterType.TypeKind == TypeKind.Delegate;
            if (argument is LambdaExpressionSyntax lambda)
            {
                return Lambda(lambda, out why);
            }
            if (isDelegate)
            {
                if (model.GetSymbolInfo(argument, cancellation).Symbol is IMethodSymbol { IsStatic: true, MethodKind: MethodKind.Ordinary } group
                    && group.DeclaredAccessibility != Accessibility.Private || IsPrivateOfJob(argument))
                {
                    var target = (IMethodSymbol)model.GetSymbolInfo(argument, cancellation).Symbol!;
                    return new FunctionSpec("MethodGroup", EquatableArray<ParameterSpec>.Empty, TypeName(target.ReturnType), "", false,
                        TypeName(target.ContainingType) + "." + target.Name, "", false);
                }
                why = "the function is neither a non-capturing lambda nor a static method group.";
                return null;
            }
            var type = model.GetTypeInfo(argument, cancellation).Type;
            if (type is INamedTypeSymbol { TypeKind: TypeKind.Class, IsSealed: true } sealedType && IsAccessible(sealedType))
            {
                bool rich = sealedType.AllInterfaces.Any(i => i.ToDisplayString() == "DataflowCompiler.Functions.IRichFunction");
                return new FunctionSpec("Object", EquatableArray<ParameterSpec>.Empty, "", "", false, TypeName(sealedType), "", rich);
            }
            why = $"the function object's type {type?.ToDisplayString() ?? "?"} is not a sealed class visible to generated code, so its calls would be virtual.";
            return null;
        }

        private bool IsPrivateOfJob(ExpressionSyntax argument) =>
            model.GetSymbolInfo(argument, cancellation).Symbol is IMethodSymbol { IsStatic: true, MethodKind: MethodKind.Ordinary } m
            && m.ContainingType.ToDisplayString() == job.FullName;

        private FunctionSpec? Lambda(LambdaExpressionSyntax lambda, out string? why)
        {
            why = null;
            if (lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword) || model.GetSymbolInfo(lambda, cancellation).Symbol is not IMethodSymbol symbol)
            {
                why = "async lambdas are not fused.";
                return null;
            }
            foreach (var identifier in lambda.Body.DescendantNodesAndSelf().OfType<SimpleNameSyntax>())
            {
                var referenced = model.GetSymbolInfo(identifier, cancellation).Symbol;
                if (referenced is ILocalSymbol or IParameterSymbol
                    && referenced.DeclaringSyntaxReferences.FirstOrDefault() is { } reference
                    && !lambda.Span.Contains(reference.Span))
                {
                    why = $"the lambda captures '{identifier.Identifier.ValueText}'; a fused lambda must not capture (make it static).";
                    return null;
                }
            }
            if (lambda.Body.DescendantNodesAndSelf().Any(n => n is ThisExpressionSyntax or BaseExpressionSyntax))
            {
                why = "the lambda uses 'this'.";
                return null;
            }
            var parameters = symbol.Parameters.Select((p, i) => new ParameterSpec(TypeName(p.Type), p.Name is "" or "_" ? $"__p{i}" : p.Name, false)).ToList();
            string collector = "";
            string body = lambda.Body.ToString();
            string form = "Lambda";
            var last = symbol.Parameters.LastOrDefault();
            if (last?.Type is INamedTypeSymbol { MetadataName: "ICollector`1" } collectorType
                && collectorType.ContainingNamespace.ToDisplayString() == "DataflowCompiler.Functions")
            {
                // FlatMap: every collector.Collect(x) becomes a direct call into the rest of the chain.
                collector = last!.Name;
                var replacements = new List<TextSpan>();
                foreach (var identifier in lambda.Body.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
                {
                    if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellation).Symbol, last))
                    {
                        continue;
                    }
                    if (identifier.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Collect" } access && access.Expression == identifier
                        && access.Parent is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 1 })
                    {
                        replacements.Add(access.Span);
                        continue;
                    }
                    why = $"the collector '{last.Name}' is used other than as {last.Name}.Collect(value).";
                    return null;
                }
                var text = new StringBuilder(body);
                int offset = lambda.Body.SpanStart;
                foreach (var span in replacements.OrderByDescending(s => s.Start))
                {
                    text.Remove(span.Start - offset, span.Length).Insert(span.Start - offset, EmitMarker);
                }
                body = text.ToString();
                parameters.RemoveAt(parameters.Count - 1);
            }
            else if (symbol.ReturnType is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Collections_Generic_IEnumerable_T }
                && lambda.Parent?.Parent?.Parent is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "FlatMap" } })
            {
                form = "Enumerable";
            }
            return new FunctionSpec(form, new EquatableArray<ParameterSpec>(parameters), TypeName(symbol.ReturnType), body, lambda.Body is BlockSyntax,
                "", collector, false);
        }

        /// <summary>
        /// The timestamp assigner of a watermark strategy written inline as a fluent expression over the built-in factories
        /// (<c>WatermarkStrategy.ForBoundedOutOfOrderness&lt;T&gt;(bound, c =&gt; c.Time)</c>, <c>ForMonotonousTimestamps</c>,
        /// <c>.WithTimestampAssigner(...)</c>, <c>.WithIdleness(...)</c>), when it is a non-capturing lambda: the fused loop then
        /// calls it as static code instead of through the strategy's delegates. Null when the assigner is not known at compile
        /// time (a strategy from a field or a variable, a custom generator, ingestion time, no assigner): the loop asks the strategy.
        /// The watermark generator always comes from the runtime strategy object.
        /// </summary>
        private FunctionSpec? InlineAssigner(ExpressionSyntax strategy)
        {
            var expression = strategy;
            while (expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation
                && model.GetSymbolInfo(invocation, cancellation).Symbol is IMethodSymbol method)
            {
                string owner = method.ContainingType.OriginalDefinition.ToDisplayString();
                var lambda = invocation.ArgumentList.Arguments.Select(a => a.Expression).OfType<LambdaExpressionSyntax>().FirstOrDefault();
                switch (owner, method.Name)
                {
                    // The outermost WithTimestampAssigner is the one applied last, so it wins.
                    case ("DataflowCompiler.Time.WatermarkStrategy<T>", "WithTimestampAssigner"):
                        return lambda is null ? null : Lambda(lambda, out _);
                    case ("DataflowCompiler.Time.WatermarkStrategy<T>", "WithIdleness"):
                        expression = access.Expression;
                        continue;
                    case ("DataflowCompiler.Time.WatermarkStrategy", "ForMonotonousTimestamps" or "ForBoundedOutOfOrderness"):
                        return lambda is null ? null : Lambda(lambda, out _);
                    default:
                        return null;
                }
            }
            return null;
        }

        /// <summary>Sum/Min/Max field selector: <c>r =&gt; r.Field</c> on a struct or record, or <c>r =&gt; r</c>.</summary>
        private bool FieldOf(ExpressionSyntax argument, ITypeSymbol record, out string field, out string? why)
        {
            field = "";
            why = null;
            if (argument is not SimpleLambdaExpressionSyntax { ExpressionBody: { } body } lambda)
            {
                why = "the field selector must be a lambda like r => r.Field.";
                return false;
            }
            string parameter = lambda.Parameter.Identifier.ValueText;
            if (body is IdentifierNameSyntax self && self.Identifier.ValueText == parameter)
            {
                return true;
            }
            if (body is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax target } access && target.Identifier.ValueText == parameter
                && (record.IsValueType || record.IsRecord))
            {
                field = access.Name.Identifier.ValueText;
                return true;
            }
            why = "the field selector must name a field of a struct or record directly (r => r.Field) or be the record itself.";
            return false;
        }
    }
}
