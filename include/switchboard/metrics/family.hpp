#pragma once
/// Metrics as values, and their Prometheus text exposition (format 0.0.4): what a scrape of
/// /metrics returns, without I/O.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::metrics {

/// Label names and values, in order of appearance.
using Labels = std::vector<std::pair<std::string, std::string>>;

/// The TYPE of a metric family.
enum class Type {
  Counter,    ///< only grows (name ends in `_total`)
  Gauge,      ///< goes up and down
  Histogram,  ///< `_bucket`, `_sum` and `_count` samples
  Untyped,    ///< no TYPE said
};

/// One line of a family: `name{labels} value`. The name is the family's, or for a histogram
/// the family's with `_bucket`, `_sum` or `_count`.
struct Sample {
  std::string name;  ///< The sample's metric name.
  Labels labels;     ///< Its labels (escaped when formatted).
  double value = 0;  ///< Its value.
};

/// A metric family: its HELP, TYPE and samples. A counter's name ends in `_total`.
struct Family {
  std::string name;             ///< The family's metric name.
  std::string help;             ///< The HELP text (escaped when formatted).
  Type type = Type::Untyped;    ///< The TYPE.
  std::vector<Sample> samples;  ///< Its lines.
};

/// The text exposition format 0.0.4 of `families`: for each, `# HELP` and `# TYPE`, then its
/// samples. Families of the same name are merged (the first one's HELP and TYPE); label values
/// and HELP text are escaped. Names are not checked here (valid_name() is).
std::string format_text(const std::vector<Family>& families);

/// The Content-Type of format_text().
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

/// A label value as it goes between the quotes: `\`, `"` and newline escaped.
std::string escape_label_value(std::string_view value);
/// A HELP text: `\` and newline escaped.
std::string escape_help(std::string_view text);
/// A sample value: integers without exponent, NaN, +Inf, -Inf, else the shortest exact form.
std::string format_value(double value);
/// True for a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
bool valid_name(std::string_view name);
/// True for a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__").
bool valid_label_name(std::string_view name);

}  // namespace switchboard::metrics
