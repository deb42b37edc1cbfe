using System.Globalization;
using Tomlyn.Syntax;

namespace Granary.Silo.Configuration;

/// <summary>
/// A parsed TOML document read key by key. Every read is typed and checked; whatever is never read is
/// reported as unknown, so a misspelt key is an error rather than a silently ignored setting.
/// </summary>
internal sealed class ConfigDocument
{
    private readonly string _file;
    private readonly Dictionary<(string Section, string Key), KeyValueSyntax> _values = new();
    private readonly Dictionary<string, int> _sectionLines = new(StringComparer.Ordinal);
    private readonly HashSet<(string, string)> _read = [];
    private readonly List<ConfigProblem> _problems = [];

    public ConfigDocument(DocumentSyntax document, string file)
    {
        _file = file;
        foreach (var kv in document.KeyValues)
        {
            Problem(kv, $"'{KeyText(kv.Key)}' is outside any section; put it under one of {string.Join(", ", KnownSections.Select(s => $"[{s}]"))}");
        }

        foreach (var table in document.Tables)
        {
            var name = KeyText(table.Name);
            if (table is TableArraySyntax)
            {
                Problem(table, $"[[{name}]] arrays of tables are not used in config.toml");
                continue;
            }

            _sectionLines.TryAdd(name, Line(table));
            foreach (var item in table.Items)
            {
                if (item is KeyValueSyntax kv && !_values.TryAdd((name, KeyText(kv.Key)), kv))
                {
                    Problem(kv, $"[{name}] {KeyText(kv.Key)} is set twice");
                }
            }
        }
    }

    public bool Bool(string section, string key, bool fallback) =>
        Lookup(section, key) is not { } kv ? fallback
        : kv.Value is BooleanValueSyntax b ? b.Value
        : WrongType(kv, section, key, "true or false", fallback);

    public int Port(string section, string key, int fallback, bool allowZero)
    {
        var value = Lookup(section, key) is not { } kv ? fallback
            : kv.Value is IntegerValueSyntax i ? (int)Math.Clamp(i.Value, -1, 70000)
            : WrongType(kv, section, key, "an integer port", fallback);
        if (value < (allowZero ? 0 : 1) || value > 65535)
        {
            Problem(section, key, $"[{section}] {key}: {value} is not a port ({(allowZero ? 0 : 1)}-65535)");
        }

        return value;
    }

    public int Int(string section, string key, int fallback, int min, int max)
    {
        var value = Lookup(section, key) is not { } kv ? fallback
            : kv.Value is IntegerValueSyntax i ? (int)Math.Clamp(i.Value, (long)min - 1, (long)max + 1)
            : WrongType(kv, section, key, "an integer", fallback);
        if (value < min || value > max)
        {
            Problem(section, key, $"[{section}] {key}: must be from {min} to {max}");
        }

        return value;
    }

    public string String(string section, string key, string fallback, Action<string> check)
    {
        var value = Lookup(section, key) is not { } kv ? fallback
            : kv.Value is StringValueSyntax s ? s.Value ?? ""
            : WrongType(kv, section, key, "a string", fallback);
        Check(section, key, value, check);
        return value;
    }

    public IReadOnlyList<string> StringList(string section, string key, IReadOnlyList<string> fallback, Action<string> check)
    {
        var values = Lookup(section, key) is not { } kv ? fallback
            : kv.Value is ArraySyntax a && a.Items.All(i => i.Value is StringValueSyntax)
                ? a.Items.Select(i => ((StringValueSyntax)i.Value!).Value ?? "").ToArray()
                : WrongType(kv, section, key, "an array of strings", fallback);
        foreach (var value in values)
        {
            Check(section, key, value, check);
        }

        return values;
    }

    /// <summary>Records a problem on a key's line (or the section's line when <paramref name="key"/> is null).</summary>
    public void Problem(string section, string? key, string message)
    {
        var line = key is not null && _values.TryGetValue((section, key), out var kv) ? Line(kv)
            : _sectionLines.GetValueOrDefault(section);
        _problems.Add(new ConfigProblem(_file, line, message));
    }

    /// <summary>True if the file sets this key (rather than leaving it to the default).</summary>
    public bool IsSet(string section, string key) => _values.ContainsKey((section, key));

    public void ReportUnread()
    {
        foreach (var ((section, key), kv) in _values.Where(v => !_read.Contains(v.Key)))
        {
            Problem(kv, KnownSections.Contains(section)
                ? $"[{section}] {key} is not a known setting (see `granary config default`)"
                : $"[{section}] is not a known section; known sections are {string.Join(", ", KnownSections.Select(s => $"[{s}]"))}");
        }
    }

    public void ThrowIfProblems()
    {
        if (_problems.Count > 0)
        {
            throw new ConfigException([.. _problems.OrderBy(p => p.Line)]);
        }
    }

    private static readonly string[] KnownSections = ["Subsystems", "API", "Libp2p", "Cluster", "Dashboard", "Chain", "Sealing", "SectorStorage", "Proving", "Dealmaking", "Retrieval"];

    /// <summary>Marks a key as known and returns its syntax if the file sets it.</summary>
    private KeyValueSyntax? Lookup(string section, string key)
    {
        _read.Add((section, key));
        return _values.TryGetValue((section, key), out var kv) && kv.Value is not null ? kv : null;
    }

    private T WrongType<T>(KeyValueSyntax kv, string section, string key, string expected, T fallback)
    {
        Problem(kv, $"[{section}] {key}: expected {expected}, found {Describe(kv.Value!)}");
        return fallback;
    }

    private void Check(string section, string key, string value, Action<string> check)
    {
        try
        {
            check(value);
        }
        catch (FormatException e)
        {
            Problem(section, key, $"[{section}] {key}: {e.Message}");
        }
    }

    private void Problem(SyntaxNode node, string message) => _problems.Add(new ConfigProblem(_file, Line(node), message));

    private static int Line(SyntaxNode node) => node.Span.Start.Line + 1;

    private static string KeyText(KeySyntax? key) =>
        key is null ? "" : string.Join('.', new[] { key.Key }.Concat(key.DotKeys.Select(d => d.Key)).Select(k => k switch
        {
            BareKeySyntax b => b.Key?.Text ?? "",
            StringValueSyntax s => s.Value ?? "",
            _ => k?.ToString() ?? "",
        }));

    private static string Describe(ValueSyntax value) => value switch
    {
        StringValueSyntax s => $"a string (\"{s.Value}\")",
        IntegerValueSyntax i => $"an integer ({i.Value.ToString(CultureInfo.InvariantCulture)})",
        BooleanValueSyntax b => $"a boolean ({(b.Value ? "true" : "false")})",
        FloatValueSyntax => "a float",
        ArraySyntax => "an array",
        InlineTableSyntax => "an inline table",
        DateTimeValueSyntax => "a date/time",
        _ => "an unsupported value",
    };
}
