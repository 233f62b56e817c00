using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Memory.Tests;

public enum Color
{
    Red,
    Green,
    Blue,
}

public enum Small : byte
{
    A = 1,
    B = 200,
}

[Flags]
public enum Wide : long
{
    None = 0,
    Low = 1,
    High = long.MinValue,
}

/// <summary>An unmanaged struct without padding, copied as bytes.</summary>
public struct Point3 : IEquatable<Point3>
{
    public long X;
    public int Y;
    public int Z;
    public double W;

    public readonly bool Equals(Point3 other) => X == other.X && Y == other.Y && Z == other.Z && W.Equals(other.W);
    public override readonly bool Equals(object? obj) => obj is Point3 p && Equals(p);
    public override readonly int GetHashCode() => HashCode.Combine(X, Y, Z, W);
}

/// <summary>A 16-byte unmanaged struct (allocation test).</summary>
public readonly record struct Pair16(long A, long B);

/// <summary>A user record serialized by composition.</summary>
public sealed record Click(string Url, int UserId, DateTime At, List<string> Tags);

/// <summary>A type nobody registers a serializer for.</summary>
public sealed class Unregistered
{
    public int Value { get; set; }
}

internal static class Registries
{
    /// <summary>A registry with <see cref="Click"/> registered by composition of field serializers.</summary>
    public static SerializerRegistry WithClick()
    {
        var registry = new SerializerRegistry();
        var url = registry.Get<string>();
        var userId = registry.Get<int>();
        var at = registry.Get<DateTime>();
        var tags = registry.Get<List<string>>();
        registry.Register(RecordSerializer.Create<Click>(
            (click, output) =>
            {
                url.Serialize(click.Url, output);
                userId.Serialize(click.UserId, output);
                at.Serialize(click.At, output);
                tags.Serialize(click.Tags, output);
            },
            (ref DataInputView input) => new Click(url.Deserialize(ref input), userId.Deserialize(ref input), at.Deserialize(ref input), tags.Deserialize(ref input))));
        return registry;
    }
}
