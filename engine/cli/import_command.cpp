// vigil import sigma|falco: foreign rule files to a .vgl rule file, plus a report that accounts
// for every rule read (docs/import.md).
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "importer/importer.h"

namespace vigil::cli {
namespace {

struct ImportCliOptions {
  importer::ImportOptions import;
  std::string output;  // the .vgl file; empty: stdout
  std::string report_format = "text";
  std::string report_file;  // empty: stderr
  bool strict = false;      // exit 1 when a rule was not converted
};

int RunImport(const ImportCliOptions& opt, bool sigma) {
  auto result = sigma ? importer::ImportSigma(opt.import) : importer::ImportFalco(opt.import);
  if (!result) {
    std::cerr << result.error() << "\n";
    return kExitUsage;
  }
  if (opt.output.empty()) {
    std::cout << result->vgl;
  } else {
    std::ofstream out(opt.output, std::ios::binary | std::ios::trunc);
    out << result->vgl;
    out.close();
    if (!out) {
      std::cerr << "vigil import: cannot write " << opt.output << "\n";
      return kExitUsage;
    }
  }
  std::string report = opt.report_format == "json"
                           ? importer::RenderReportJson(result->report).dump(2) + "\n"
                           : importer::RenderReportText(result->report);
  if (opt.report_file.empty()) {
    std::cerr << report;
  } else {
    std::ofstream out(opt.report_file, std::ios::binary | std::ios::trunc);
    out << report;
    out.close();
    if (!out) {
      std::cerr << "vigil import: cannot write " << opt.report_file << "\n";
      return kExitUsage;
    }
  }
  bool dropped = result->report.Count(importer::Conversion::kNotConverted) > 0;
  return opt.strict && dropped ? kExitFindings : kExitOk;
}

void AddFormatCommand(CLI::App& parent, const char* name, const char* what, bool sigma,
                      int& exit_code) {
  auto opt = std::make_shared<ImportCliOptions>();
  auto* cmd = parent.add_subcommand(name, what);
  cmd->add_option("paths", opt->import.inputs,
                  sigma ? "Sigma rule files, or folders searched for *.yml/*.yaml"
                        : "Falco rule files (YAML)")
      ->required();
  cmd->add_option("-o,--output", opt->output, "write the .vgl rules here (default: stdout)");
  cmd->add_option("--report", opt->report_format, "the report's format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--report-file", opt->report_file, "write the report here (default: stderr)");
  cmd->add_flag("--strict", opt->strict, "exit 1 when any rule could not be converted");
  cmd->callback([opt, sigma, &exit_code] { exit_code = RunImport(*opt, sigma); });
}

}  // namespace

void AddImportCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "import", "Convert Sigma or Falco rules to vigil rules, with a report for every rule");
  cmd->require_subcommand(1);
  AddFormatCommand(*cmd, "sigma", "Sigma rules (Linux log sources) to vigil rules", true,
                   exit_code);
  AddFormatCommand(*cmd, "falco", "Falco rules, macros and lists to vigil rules", false, exit_code);
}

}  // namespace vigil::cli
