using System.Linq.Expressions;
using System.Reflection;

namespace DataflowCompiler;

/// <summary>
/// Reads one field or property of a record and makes a copy of the record with a new value for it:
/// what rolling Sum/Min/Max need. Built once per operator from an expression like <c>c =&gt; c.Count</c>
/// (or <c>x =&gt; x</c> for the record itself); nothing reflective happens per record.
/// </summary>
internal sealed class FieldAccessor<T, TField>
{
    private FieldAccessor(Func<T, TField> get, Func<T, TField, T> with, string name)
    {
        Get = get;
        With = with;
        Name = name;
    }

    public Func<T, TField> Get { get; }
    public Func<T, TField, T> With { get; }
    public string Name { get; }

    public static FieldAccessor<T, TField> Create(Expression<Func<T, TField>> field, string operation)
    {
        ArgumentNullException.ThrowIfNull(field);
        var getter = field.Compile();
        var parameter = field.Parameters[0];
        var body = field.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert && convert.Operand.Type == typeof(TField) ? convert.Operand : field.Body;
        if (body == parameter && typeof(T) == typeof(TField))
        {
            return new FieldAccessor<T, TField>(getter, static (_, v) => (T)(object)v!, "itself");
        }
        if (body is not MemberExpression member || member.Expression != parameter)
        {
            throw new ArgumentException(
                $"{operation}: the field selector must name a field or property of {typeof(T).Name} directly (like r => r.Count) or be the record itself (r => r); got '{field}'.",
                nameof(field));
        }
        var value = Expression.Parameter(typeof(TField), "value");
        var copy = Expression.Variable(typeof(T), "copy");
        Expression clone = typeof(T).IsValueType
            ? parameter
            : Expression.Convert(Expression.Call(parameter, typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!), typeof(T));
        switch (member.Member)
        {
            case FieldInfo { IsInitOnly: true } f when !typeof(T).IsValueType:
                throw new ArgumentException($"{operation}: field '{f.Name}' of {typeof(T).Name} is readonly and cannot take the aggregated value.", nameof(field));
            case PropertyInfo p when p.SetMethod is null:
                throw new ArgumentException($"{operation}: property '{p.Name}' of {typeof(T).Name} has no setter (or init accessor) to take the aggregated value.", nameof(field));
        }
        Expression assign = member.Member switch
        {
            PropertyInfo p => Expression.Call(copy, p.SetMethod!, value),
            FieldInfo f when f.IsInitOnly => SetReadonlyField(copy, f, value),
            FieldInfo f => Expression.Assign(Expression.Field(copy, f), value),
            _ => throw new ArgumentException($"{operation}: '{member.Member.Name}' is neither a field nor a property.", nameof(field)),
        };
        var block = Expression.Block(typeof(T), new[] { copy }, Expression.Assign(copy, clone), assign, copy);
        var with = Expression.Lambda<Func<T, TField, T>>(block, parameter, value).Compile();
        return new FieldAccessor<T, TField>(getter, with, member.Member.Name);
    }

    // Readonly fields of structs (e.g. in readonly record structs) are set on the boxed copy.
    private static Expression SetReadonlyField(ParameterExpression copy, FieldInfo field, ParameterExpression value)
    {
        var boxed = Expression.Variable(typeof(object), "boxed");
        return Expression.Block(new[] { boxed },
            Expression.Assign(boxed, Expression.Convert(copy, typeof(object))),
            Expression.Call(Expression.Constant(field), typeof(FieldInfo).GetMethod(nameof(FieldInfo.SetValue), new[] { typeof(object), typeof(object) })!,
                boxed, Expression.Convert(value, typeof(object))),
            Expression.Assign(copy, Expression.Convert(boxed, typeof(T))));
    }
}
