using System.Globalization;
using System.Net;
using System.Text;

namespace AnalyticsApi.Report;

/// <summary>Charts drawn on the server as inline SVG: no JavaScript library, nothing loaded from a CDN.</summary>
public static class SvgCharts
{
    private static readonly string[] Palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"];

    public static string Color(int index) => Palette[index % Palette.Length];

    /// <summary>Horizontal bars, one per item, labelled with the item and its value.</summary>
    public static string Bars(string title, IReadOnlyList<(string Label, double Value)> items, int width = 560, string? valueFormat = "N0")
    {
        const int barHeight = 22, gap = 6, labelWidth = 190, top = 28;
        var height = top + Math.Max(1, items.Count) * (barHeight + gap) + 4;
        var max = items.Count == 0 ? 1 : Math.Max(1, items.Max(i => i.Value));
        var svg = Open(title, width, height);
        if (items.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="0" y="{top + 14}" class="empty">no data yet</text>""");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var (label, value) = items[i];
            var y = top + i * (barHeight + gap);
            var length = (width - labelWidth - 70) * value / max;
            svg.Append(CultureInfo.InvariantCulture,
                $"""<g class="bar-row"><text x="{labelWidth - 8}" y="{y + 15}" text-anchor="end" class="label">{Text(label)}</text>""" +
                $"""<rect class="bar" x="{labelWidth}" y="{y}" width="{Math.Max(1, length):0.#}" height="{barHeight}" fill="{Color(i)}"><title>{Text(label)}: {value.ToString(valueFormat, CultureInfo.InvariantCulture)}</title></rect>""" +
                $"""<text x="{labelWidth + length + 6:0.#}" y="{y + 15}" class="value">{value.ToString(valueFormat, CultureInfo.InvariantCulture)}</text></g>""");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>One line per series over time (x: minutes, y: count).</summary>
    public static string Lines(string title, IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset At, long Value)>> series, DateTimeOffset from, DateTimeOffset to, int width = 560, int height = 240)
    {
        const int left = 48, right = 12, top = 28, bottom = 34;
        var svg = Open(title, width, height);
        var points = series.Values.SelectMany(s => s).ToList();
        if (points.Count == 0)
        {
            return svg.Append(CultureInfo.InvariantCulture, $"""<text x="{left}" y="{top + 20}" class="empty">no data yet</text></svg>""").ToString();
        }

        var span = Math.Max(60, (to - from).TotalSeconds);
        var max = Math.Max(1, points.Max(p => p.Value));
        double X(DateTimeOffset at) => left + (width - left - right) * (at - from).TotalSeconds / span;
        double Y(long value) => height - bottom - (height - top - bottom) * (double)value / max;

        svg.Append(CultureInfo.InvariantCulture,
            $"""<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}"/><line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}"/>""" +
            $"""<text x="{left - 6}" y="{top + 4}" text-anchor="end" class="value">{max:N0}</text><text x="{left - 6}" y="{height - bottom}" text-anchor="end" class="value">0</text>""" +
            $"""<text x="{left}" y="{height - 12}" class="value">{from:HH:mm} UTC</text><text x="{width - right}" y="{height - 12}" text-anchor="end" class="value">{to:HH:mm} UTC</text>""");
        var index = 0;
        foreach (var (name, values) in series)
        {
            var color = Color(index);
            var path = string.Join(' ', values.OrderBy(v => v.At).Select(v => string.Create(CultureInfo.InvariantCulture, $"{X(v.At):0.#},{Y(v.Value):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"""<polyline class="series" data-series="{Text(name)}" fill="none" stroke="{color}" stroke-width="2" points="{path}"/>""");
            foreach (var (at, value) in values)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{X(at):0.#}" cy="{Y(value):0.#}" r="3" fill="{color}"><title>{Text(name)} {at:HH:mm}: {value:N0}</title></circle>""");
            }

            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{left + 8 + 150 * index}" y="{top - 18}" width="10" height="10" fill="{color}"/><text x="{left + 22 + 150 * index}" y="{top - 9}" class="legend">{Text(name)}</text>""");
            index++;
        }

        return svg.Append("</svg>").ToString();
    }

    private static StringBuilder Open(string title, int width, int height) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"""<svg class="chart" role="img" aria-label="{Text(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{Text(title)}</title>""");

    public static string Text(string? value) => WebUtility.HtmlEncode(value ?? "(none)");
}
