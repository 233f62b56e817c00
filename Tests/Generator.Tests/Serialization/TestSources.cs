namespace DataflowCompiler.Generator.Tests.Serialization;

/// <summary>The C# sources the serializer tests compile.</summary>
internal static class TestSources
{
    /// <summary>Records, a struct and a class with init properties, and probes that round-trip them through the registry.</summary>
    public const string Shop = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using DataflowCompiler.Memory.Serialization;
        using DataflowCompiler.Serialization;

        namespace Shop;

        public enum Status { Open, Closed }

        [DataflowSerializable]
        public sealed record Click(long UserId, string Url, int Count);

        // Not annotated: generated because Order contains it.
        public sealed record Address(string City, string? Street, int Zip);

        [DataflowSerializable]
        public sealed record Order(long Id, string Customer, List<string> Tags, Address? Shipping, Address Billing, long? Discount, Status Status, decimal Total)
        {
            public string? Note { get; init; }

            public bool IsBig => Total > 1000m; // computed: not serialized
        }

        [DataflowSerializable]
        public sealed record Parcel(long Id, Address? To);

        [DataflowSerializable]
        public struct Point
        {
            public int X;
            public double Y { get; set; }
            public string? Label { get; set; }
        }

        [DataflowSerializable]
        public sealed class Customer
        {
            public string Name { get; init; } = "";
            public List<Point>? Visits { get; init; }
            public DateTime Since { get; set; }
            public (string Key, long Value) Pair { get; init; }
            public Point[] Corners { get; set; } = [];
        }

        public static class Probe
        {
            private static readonly SerializerRegistry Registry = new();

            public static string SerializerNamespace<T>() => Registry.Get<T>().GetType().Namespace!;

            public static string? Namespaces() =>
                string.Join(",", new[] { SerializerNamespace<Click>(), SerializerNamespace<Address>(), SerializerNamespace<Order>(), SerializerNamespace<Parcel>(), SerializerNamespace<Point>(), SerializerNamespace<Customer>() }.Distinct());

            public static byte[] ClickBytes(long userId, string url, int count) => Bytes(new Click(userId, url, count));

            public static byte[] ParcelBytes(long id, string? city, string? street, int zip) => Bytes(new Parcel(id, city is null ? null : new Address(city, street, zip)));

            public static string ParcelFromBytes(byte[] bytes)
            {
                var input = new DataInputView(bytes);
                return Registry.Get<Parcel>().Deserialize(ref input).ToString();
            }

            public static T RoundTrip<T>(T value)
            {
                var serializer = Registry.Get<T>();
                var output = new DataOutputSerializer();
                serializer.Serialize(value, output);
                var input = new DataInputView(output.WrittenSpan);
                var copy = serializer.Deserialize(ref input);
                if (input.Remaining != 0) throw new InvalidOperationException($"{input.Remaining} bytes left after reading {typeof(T).Name}");
                return copy;
            }

            public static byte[] Bytes<T>(T value)
            {
                var output = new DataOutputSerializer();
                Registry.Get<T>().Serialize(value, output);
                return output.ToArray();
            }

            /// <summary>Null when the order survives the round trip, else what differs.</summary>
            public static string? CheckOrder(long id, string customer, string[] tags, string? shippingCity, string? street, int zip, long? discount, bool closed, decimal total, string? note)
            {
                var order = new Order(id, customer, tags.ToList(), shippingCity is null ? null : new Address(shippingCity, street, zip), new Address(customer, null, -zip),
                    discount, closed ? Status.Closed : Status.Open, total) { Note = note };
                var copy = RoundTrip(order);
                if (!copy.Tags.SequenceEqual(order.Tags)) return "tags differ";
                if (copy with { Tags = order.Tags } != order) return $"{copy} != {order}";
                return Bytes(copy).AsSpan().SequenceEqual(Bytes(order)) ? null : "bytes of the copy differ";
            }

            public static string? CheckCustomer(string name, int[] xs, bool noVisits, long ticks, string key, long value)
            {
                var customer = new Customer
                {
                    Name = name,
                    Visits = noVisits ? null : xs.Select(x => new Point { X = x, Y = x / 3.0, Label = x % 2 == 0 ? null : key }).ToList(),
                    Since = new DateTime(ticks, DateTimeKind.Utc),
                    Pair = (key, value),
                    Corners = xs.Select(x => new Point { X = -x }).ToArray(),
                };
                var copy = RoundTrip(customer);
                if (copy.Name != customer.Name || copy.Since != customer.Since || copy.Pair != customer.Pair) return "scalars differ";
                if ((copy.Visits is null) != (customer.Visits is null) || customer.Visits is not null && !copy.Visits!.SequenceEqual(customer.Visits)) return "visits differ";
                return copy.Corners.SequenceEqual(customer.Corners) ? null : "corners differ";
            }
        }
        """;
}
