using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Generator.Tests.Serialization;

/// <summary>Where <see cref="SerializerRegistry.RegisterGenerated{T}"/> sits: after user registrations, before the built-ins.</summary>
public sealed class RegistryHookTests
{
    /// <summary>Unmanaged, so the built-ins would copy it as bytes if the generated serializer were not consulted first.</summary>
    private readonly record struct HookPoint(int X, int Y);

    private readonly record struct UserPoint(int X);

    [Fact]
    public void Generated_serializers_come_before_the_built_ins_and_compose_into_lists()
    {
        SerializerRegistry? seen = null;
        var generated = RecordSerializer.Create<HookPoint>((p, o) => o.WriteInt32(p.X + p.Y), (ref DataInputView i) => new HookPoint(i.ReadInt32(), 0));
        SerializerRegistry.RegisterGenerated(registry =>
        {
            seen = registry;
            return generated;
        });
        var registry = new SerializerRegistry();

        Assert.Same(generated, registry.Get<HookPoint>());
        Assert.Same(registry, seen);
        var output = new DataOutputSerializer();
        registry.Get<List<HookPoint>>().Serialize([new HookPoint(1, 2)], output);
        Assert.Equal(new byte[] { 2, 3, 0, 0, 0 }, output.ToArray()); // count + 1, then 1 + 2 as an Int32
    }

    [Fact]
    public void A_user_registration_wins_over_the_generated_serializer()
    {
        var generated = RecordSerializer.Create<UserPoint>((p, o) => o.WriteInt32(p.X), (ref DataInputView i) => new UserPoint(i.ReadInt32()));
        var user = RecordSerializer.Create<UserPoint>((p, o) => o.WriteInt64(p.X), (ref DataInputView i) => new UserPoint((int)i.ReadInt64()));
        SerializerRegistry.RegisterGenerated(_ => generated);
        var registry = new SerializerRegistry();
        registry.Register(user);

        Assert.Same(user, registry.Get<UserPoint>());
        Assert.Same(generated, new SerializerRegistry().Get<UserPoint>());
    }
}
