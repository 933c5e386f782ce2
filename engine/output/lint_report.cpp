#include "output/lint_report.h"

#include <nlohmann/json.hpp>

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

nlohmann::json FindingJson(const lang::SourceSet& sources, const lang::Diagnostic& d) {
  nlohmann::json j = {{"code", d.id()},
                      {"name", lang::InfoFor(d.code).name},
                      {"level", LevelName(d.level)},
                      {"file", sources.file(d.loc.file).path},
                      {"line", d.loc.line},
                      {"column", d.loc.column},
                      {"end_column", d.loc.column + d.loc.length},
                      {"message", d.message}};
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
  for (const auto& d : diags.all()) {
    out << DiagnosticLine(sources, d) << "\n";
    std::string_view line = sources.Line(d.loc.file, d.loc.line);
    std::string number = std::to_string(d.loc.line);
    std::string pad(number.size(), ' ');
    out << " " << number << " | " << DisplayLine(line) << "\n";
    out << " " << pad << " | " << CaretLine(line, d.loc.column, d.loc.length) << "\n";
    for (const auto& n : d.notes) out << " " << pad << " = note: " << TerminalSafe(n) << "\n";
  }
  size_t errors = diags.errors(), warnings = diags.warnings();
  if (errors == 0 && warnings == 0) {
    out << "ok: no problems in " << Plural(summary.files, "file", "files") << " ("
        << Plural(summary.rules, "rule", "rules") << ", "
        << Plural(summary.policies, "policy", "policies") << ")\n";
  } else {
    out << Plural(errors, "error", "errors") << ", " << Plural(warnings, "warning", "warnings")
        << " in " << Plural(summary.files, "file", "files") << "\n";
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
                          {"errors", diags.errors()},
                          {"warnings", diags.warnings()},
                          {"notes", diags.notes()}}}};
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
    results.push_back(
        {{"ruleId", d.id()},
         {"ruleIndex", static_cast<int>(d.code) - 1},
         {"level", LevelName(d.level)},
         {"message", {{"text", text}}},
         {"locations",
          {{{"physicalLocation",
             {{"artifactLocation", {{"uri", SarifUri(sources.file(d.loc.file).path)}}},
              {"region",
               {{"startLine", d.loc.line},
                {"startColumn", d.loc.column},
                {"endColumn", d.loc.column + d.loc.length}}}}}}}}});
  }
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
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace vigil::output
