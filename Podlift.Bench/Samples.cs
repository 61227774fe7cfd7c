namespace Podlift.Bench;

/// <summary>Repeated measurements of one figure, reported by their median.</summary>
public sealed class Samples
{
    private readonly List<double> _values = [];

    public void Add(double value) => _values.Add(value);

    public IReadOnlyList<double> Values => _values;

    public double Median
    {
        get
        {
            if (_values.Count == 0) return double.NaN;
            var sorted = _values.Order().ToList();
            var middle = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }
}

/// <summary>Every figure of a bench run by name, in the order they were first recorded.</summary>
public sealed class Figures
{
    private readonly Dictionary<string, Samples> _byName = [];
    private readonly List<string> _order = [];

    public void Add(string name, double value)
    {
        if (!_byName.TryGetValue(name, out var samples))
        {
            _byName[name] = samples = new Samples();
            _order.Add(name);
        }
        samples.Add(value);
    }

    public Samples this[string name] => _byName.TryGetValue(name, out var samples) ? samples : new Samples();

    public double Median(string name) => this[name].Median;

    public IEnumerable<(string Name, Samples Samples)> All => _order.Select(n => (n, _byName[n]));
}
