// A vigil condition as the Falco importer builds it: a small tree of vigil field tests that can
// be simplified, rendered as .vgl text and evaluated against a test event (to derive `test`
// cases). The evaluation follows docs/language.md (an absent field never satisfies a positive
// test) and the defaults of docs/testing.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace vigil::importer::falco {

struct VValue {
  enum class Kind { kString, kInt, kConst, kCidr } kind = Kind::kString;
  std::string text;    // kString: the text; kConst: the constant's name; kCidr: "10.0.0.0/8"
  int64_t number = 0;  // kInt, kConst
};

struct VNode {
  enum class Kind { kTrue, kFalse, kAnd, kOr, kNot, kPred } kind = Kind::kTrue;
  std::vector<VNode> kids;
  // kPred: a vigil field (proc.aname[2] included) and an operator: "bool" (the field is true),
  // ==, !=, <, <=, >, >=, in, intersects, contains, icontains, startswith, endswith, glob,
  // exists, and the compound tests args_startswith / args_contains / args_icontains /
  // args_endswith (Falco's proc.args, the arguments after argv[0], read from proc.cmdline) and
  // cwd_startswith (Falco's proc.cwd ends with '/', vigil's does not).
  std::string field;
  std::string op;
  std::vector<VValue> values;
  std::string list_ref;  // render the right side as this named list (same items as `values`)
  std::string macro;     // the body of this vigil macro: render its name
};

VNode True();
VNode False();
VNode Pred(std::string field, std::string op, std::vector<VValue> values = {});
VNode Not(VNode n);

// Constants folded, nested and/or flattened (not across macro bodies), double negation removed.
VNode Simplify(VNode n);

// .vgl condition text; a node with `macro` set renders as its name unless `expand_top`.
std::string Render(const VNode& n, bool expand_top = false);

// A test event: the fields a `test` case gives, by name.
using TValue = std::variant<std::string, int64_t, bool, std::vector<std::string>>;
using TEvent = std::map<std::string, TValue>;

// The event `vigil test` builds from the given fields for an event type: evt.type, evt.retval 0
// for syscall types, evt.failed, file.name/dir, proc.cmdline from proc.args, proc.parent.* and
// proc.aname[N] from proc.ancestors.*.
TEvent Complete(const TEvent& given, const std::string& event_type);

bool Evaluate(const VNode& n, const TEvent& event);  // event: a completed one

// Every field a node reads (proc.aname[2] as written), and the named lists and macros it uses.
void Collect(const VNode& n, std::vector<std::string>* fields, std::vector<std::string>* lists,
             std::vector<std::string>* macros);

bool GlobMatch(const std::string& pattern, const std::string& text);

}  // namespace vigil::importer::falco
