// Falco conditions to vigil conditions: the field map (Falco's proc.*, fd.*, evt.*, user.*,
// container.*, k8s.* fields to vigil's), operators, lists and macros. Falco fields vigil has no
// counterpart for either drop out with a stated approximation (the test is replaced by what
// makes the rule alert more, never less) or make the rule not convertible (a reason).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "importer/falco/falco_condition.h"
#include "importer/falco/vigil_condition.h"
#include "util/result.h"

namespace vigil::importer::falco {

struct Vocabulary {
  std::map<std::string, std::vector<std::string>> lists;  // Falco list name -> items as written
  std::map<std::string, FNode> macros;                    // Falco macro name -> parsed condition
  std::map<std::string, std::string> macro_errors;        // macros whose condition did not parse
};

class Translator {
 public:
  explicit Translator(const Vocabulary& vocabulary) : voc_(vocabulary) {}

  // A rule's condition; approximations (one sentence each) are added to `approximations`.
  // An error is the reason the rule cannot be converted.
  Result<VNode> Condition(const FNode& condition, std::set<std::string>* approximations);

  // Vigil macro bodies (rendered) for every macro that converted context-free, by vigil name.
  const std::map<std::string, std::string>& MacroBodies() const { return macro_bodies_; }
  // The named lists rendered so far: vigil name -> items.
  const std::map<std::string, std::vector<VValue>>& Lists() const { return lists_; }

  // The vigil field and operator for a Falco field and comparison in an output template or an
  // exception; empty when there is none.
  static std::string OutputField(const std::string& falco_field);

  static std::string VglListName(const std::string& falco_name);
  static std::string VglMacroName(const std::string& falco_name);

  // vigil event types for a Falco syscall name (execve -> exec); empty when vigil has none.
  static std::string EventTypeOfSyscall(const std::string& syscall);

 private:
  Result<VNode> Node(const FNode& n, bool positive, int depth);
  Result<VNode> Cmp(const FNode& n, bool positive);
  Result<std::vector<std::string>> Items(const FNode& n, std::string* single_list);
  void Splice(const std::string& list, std::vector<std::string>* out, int depth);
  VNode Drop(const std::string& why, bool positive);

  const Vocabulary& voc_;
  std::set<std::string>* approx_ = nullptr;
  std::map<std::string, std::string> macro_bodies_;
  std::set<std::string> macro_unclean_;
  std::map<std::string, std::vector<VValue>> lists_;
  std::vector<std::string> expanding_;  // macros being expanded (cycle check)
  std::vector<std::string> splicing_;   // lists being spliced (cycle check)
};

}  // namespace vigil::importer::falco
