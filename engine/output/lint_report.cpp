#include "output/lint_report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "output/terminal_text.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

namespace vigil::output {
namespace {

using lang::Level;

const char* LevelName(Level l) {
  switch (l) {
    case Level::kError: return "error";
    case Level::kWarning: return "warning";
    case Level::kNote: return "note";
  }
  return "?";
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// The source line with tabs shown as single spaces, so the caret lines up.
std::string DisplayLine(std::string_view line) {
  std::string s(line);
  for (char& c : s)
    if (c == '\t') c = ' ';
  return TerminalSafe(s);
}

std::string CaretLine(std::string_view line, uint32_t column, uint32_t length) {
  std::string out;
  uint32_t cp = 1;
  for (size_t i = 0; i < line.size() && cp < column; ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    unsigned char c = static_cast<unsigned char>(line[i]);
    // Control characters are shown as 4-char escapes by TerminalSafe.
    out += (c < 0x20 && c != '\t') || c == 0x7f ? "    " : " ";
    ++cp;
  }
  out += '^';
  for (uint32_t i = 1; i < length && i < 200; ++i) out += '~';
  return out;
}

// The part of a long source line shown under a finding: at most kExcerptWidth code points
// around the finding's column, with "..." where text was left out, so that a finding on a
// 10 KB line prints a short excerpt. `column` is adjusted to the excerpt.
constexpr uint32_t kExcerptWidth = 100;
constexpr uint32_t kExcerptBefore = 30;

std::string ClipExcerpt(std::string_view line, uint32_t& column, uint32_t& length) {
  std::vector<size_t> starts;  // byte offset of each code point
  for (size_t i = 0; i < line.size(); ++i)
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) starts.push_back(i);
  if (starts.size() <= kExcerptWidth + kExcerptBefore) return std::string(line);
  uint32_t first = column > kExcerptBefore ? column - kExcerptBefore : 1;  // 1-based
  uint32_t last = std::min<uint32_t>(first + kExcerptWidth - 1, starts.size());
  size_t begin = starts[first - 1];
  size_t end = last < starts.size() ? starts[last] : line.size();
  std::string out = first > 1 ? "..." : "";
  out += line.substr(begin, end - begin);
  if (last < starts.size()) out += "...";
  // The caret stops where the excerpt does.
  if (column <= last) length = std::min(length, last - column + 1);
  column = column - first + 1 + (first > 1 ? 3 : 0);
  return out;
}

// "N more findings in this file not shown (E errors, W warnings, K notes)".
std::string NotShownText(const lang::NotShown& n) {
  std::string what;
  auto add = [&](size_t count, std::string_view one, std::string_view many) {
    if (count) what += (what.empty() ? "" : ", ") + Plural(count, one, many);
  };
  add(n.errors, "error", "errors");
  add(n.warnings, "warning", "warnings");
  add(n.notes, "note", "notes");
  return Plural(n.total(), "more finding", "more findings") + " in this file not shown (" + what +
         ")";
}

nlohmann::json FindingJson(const lang::SourceSet& sources, const lang::Diagnostic& d) {
  nlohmann::json j = {{"code", d.id()},
                      {"name", lang::InfoFor(d.code).name},
                      {"level", LevelName(d.level)},
                      {"file", sources.file(d.loc.file).path}};
  if (d.loc.valid()) {  // findings about a whole file (V044) have no position
    j["line"] = d.loc.line;
    j["column"] = d.loc.column;
    j["end_column"] = d.loc.column + d.loc.length;
  }
  j["message"] = d.message;
  if (!d.notes.empty()) j["notes"] = d.notes;
  return j;
}

std::string SarifUri(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::string_view("/-._~").find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// Per file, the findings counted but not kept: [{file, errors, warnings, notes}].
nlohmann::json NotShownJson(const lang::SourceSet& sources, const lang::Diagnostics& diags) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [file, n] : diags.not_shown())
    out.push_back({{"file", sources.file(file).path},
                   {"errors", n.errors},
                   {"warnings", n.warnings},
                   {"notes", n.notes}});
  return out;
}

}  // namespace

std::string DiagnosticLine(const lang::SourceSet& sources, const lang::Diagnostic& d) {
  return TerminalSafe(sources.Position(d.loc)) + ": " + LevelName(d.level) + "[" + d.id() +
         "]: " + TerminalSafe(d.message);
}

std::vector<std::string> ErrorLines(const lang::SourceSet& sources,
                                    const lang::Diagnostics& diags) {
  std::vector<std::string> lines;
  for (const auto& d : diags.all())
    if (d.level == Level::kError) lines.push_back(DiagnosticLine(sources, d));
  return lines;
}

std::string ErrorText(const lang::SourceSet& sources, const lang::Diagnostics& diags) {
  std::string text;
  for (const auto& line : ErrorLines(sources, diags)) text += (text.empty() ? "" : "\n") + line;
  return text;
}

void RenderLintText(const lang::SourceSet& sources, const lang::Diagnostics& diags,
                    const LintSummary& summary, std::ostream& out) {
  const auto& not_shown = diags.not_shown();
  auto print_not_shown = [&](uint32_t file) {
    auto it = not_shown.find(file);
    if (it == not_shown.end()) return;
    out << TerminalSafe(sources.file(file).path) << ": " << NotShownText(it->second)
        << " (--max-findings 0 shows every one)\n";
  };
  const auto& all = diags.all();
  uint32_t next_file = 0;  // files before it have had their not-shown line
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& d = all[i];
    for (; next_file < d.loc.file; ++next_file) print_not_shown(next_file);
    out << DiagnosticLine(sources, d) << "\n";
    std::string number = std::to_string(d.loc.line);
    std::string pad(number.size(), ' ');
    if (d.loc.valid()) {
      uint32_t column = d.loc.column, length = d.loc.length;
      std::string line = ClipExcerpt(sources.Line(d.loc.file, d.loc.line), column, length);
      out << " " << number << " | " << DisplayLine(line) << "\n";
      out << " " << pad << " | " << CaretLine(line, column, length) << "\n";
    }
    for (const auto& n : d.notes) out << " " << pad << " = note: " << TerminalSafe(n) << "\n";
  }
  for (; next_file < sources.size(); ++next_file) print_not_shown(next_file);
  size_t errors = diags.errors(), warnings = diags.warnings();
  size_t unread = sources.size() - sources.read_count();
  std::string unread_text =
      unread == 0 ? "" : "; " + Plural(unread, "path", "paths") + " could not be read";
  if (errors == 0 && warnings == 0) {
    out << "ok: no problems in " << Plural(summary.files, "file", "files") << " ("
        << Plural(summary.rules, "rule", "rules") << ", "
        << Plural(summary.policies, "policy", "policies") << ")\n";
  } else {
    out << Plural(errors, "error", "errors") << ", " << Plural(warnings, "warning", "warnings")
        << " in " << Plural(summary.files, "file", "files") << unread_text << "\n";
  }
}

void RenderLintJson(const lang::SourceSet& sources, const lang::Diagnostics& diags,
                    const LintSummary& summary, std::ostream& out) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& d : diags.all()) findings.push_back(FindingJson(sources, d));
  nlohmann::json doc = {{"findings", findings},
                        {"summary",
                         {{"files", summary.files},
                          {"rules", summary.rules},
                          {"policies", summary.policies},
                          {"unread", sources.size() - sources.read_count()},
                          {"errors", diags.errors()},
                          {"warnings", diags.warnings()},
                          {"notes", diags.notes()},
                          {"not_shown", NotShownJson(sources, diags)}}}};
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void RenderLintSarif(const lang::SourceSet& sources, const lang::Diagnostics& diags,
                     std::ostream& out) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& info : lang::AllCodes()) {
    rules.push_back({{"id", info.id},
                     {"name", info.name},
                     {"shortDescription", {{"text", info.title}}},
                     {"help", {{"text", std::string("See docs/lint.md, section ") + info.id}}},
                     {"defaultConfiguration", {{"level", LevelName(info.level)}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& d : diags.all()) {
    std::string text = d.message;
    for (const auto& n : d.notes) text += "\nnote: " + n;
    nlohmann::json physical = {
        {"artifactLocation", {{"uri", SarifUri(sources.file(d.loc.file).path)}}}};
    if (d.loc.valid())  // findings about a whole file (V044) have no region
      physical["region"] = {{"startLine", d.loc.line},
                            {"startColumn", d.loc.column},
                            {"endColumn", d.loc.column + d.loc.length}};
    results.push_back({{"ruleId", d.id()},
                       {"ruleIndex", static_cast<int>(d.code) - 1},
                       {"level", LevelName(d.level)},
                       {"message", {{"text", text}}},
                       {"locations", {{{"physicalLocation", physical}}}}});
  }
  // Findings past the per-file limit: one notification per file, so that a code-scanning
  // UI says that more exist.
  nlohmann::json notifications = nlohmann::json::array();
  for (const auto& [file, n] : diags.not_shown())
    notifications.push_back(
        {{"level", n.errors ? "error" : n.warnings ? "warning" : "note"},
         {"message", {{"text", NotShownText(n)}}},
         {"locations",
          {{{"physicalLocation",
             {{"artifactLocation", {{"uri", SarifUri(sources.file(file).path)}}}}}}}}});
  nlohmann::json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       {{{"tool",
          {{"driver",
            {{"name", "vigil"},
             {"version", VIGIL_VERSION},
             {"rules", rules}}}}},
         {"columnKind", "unicodeCodePoints"},
         {"results", results}}}}};
  if (!notifications.empty())
    doc["runs"][0]["invocations"] = {
        {{"executionSuccessful", true}, {"toolExecutionNotifications", notifications}}};
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace vigil::output
