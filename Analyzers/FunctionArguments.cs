using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace DataflowCompiler.Analyzers;

/// <summary>Finds the user functions passed to stream API calls and the API call a function is passed to.</summary>
internal static class FunctionArguments
{
    /// <summary>Strips conversions and delegate creations off an argument value: what remains is the lambda,
    /// the method group, the <c>new</c> expression or the value the user passed.</summary>
    public static IOperation Unwrap(IOperation value)
    {
        while (true)
        {
            switch (value)
            {
                case IConversionOperation conversion:
                    value = conversion.Operand;
                    break;
                case IDelegateCreationOperation creation:
                    value = creation.Target;
                    break;
                case IParenthesizedOperation parenthesized:
                    value = parenthesized.Operand;
                    break;
                default:
                    return value;
            }
        }
    }

    /// <summary>Whether an argument of an API call is a user function: a delegate (not an expression tree)
    /// or a function object (a type deriving from or implementing one of the function types).</summary>
    public static bool IsFunctionArgument(IArgumentOperation argument, WellKnownTypes types)
    {
        var type = argument.Parameter?.Type;
        if (type is null)
        {
            return false;
        }
        if (type.TypeKind == TypeKind.Delegate)
        {
            return true;
        }
        if (type.TypeKind == TypeKind.Array && ((IArrayTypeSymbol)type).ElementType.TypeKind == TypeKind.Delegate)
        {
            return true;
        }
        return types.IsFunctionType(type as INamedTypeSymbol);
    }

    /// <summary>The API invocation a lambda is passed to directly, and the parameter it binds to.</summary>
    public static IInvocationOperation? ApiInvocationOf(IAnonymousFunctionOperation lambda, WellKnownTypes types, out IParameterSymbol? parameter)
    {
        parameter = null;
        IOperation? current = lambda.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation or IParenthesizedOperation)
        {
            current = current.Parent;
        }
        if (current is IArgumentOperation { Parent: IInvocationOperation invocation } argument
            && types.IsApiMethod(invocation.TargetMethod))
        {
            parameter = argument.Parameter;
            return invocation;
        }
        return null;
    }

    /// <summary>The location of a call's method name (<c>Map</c> in <c>stream.Map(…)</c>), or the whole call.</summary>
    public static Location NameLocation(IInvocationOperation invocation)
    {
        var syntax = invocation.Syntax;
        if (syntax is InvocationExpressionSyntax call)
        {
            switch (call.Expression)
            {
                case MemberAccessExpressionSyntax member:
                    return member.Name.GetLocation();
                case SimpleNameSyntax name:
                    return name.GetLocation();
                case MemberBindingExpressionSyntax binding:
                    return binding.Name.GetLocation();
            }
        }
        return syntax.GetLocation();
    }

    /// <summary>The 1-based line a location starts on.</summary>
    public static int LineOf(Location location) => location.GetLineSpan().StartLinePosition.Line + 1;
}
