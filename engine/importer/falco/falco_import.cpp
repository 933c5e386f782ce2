// vigil import falco: Falco rules files to one .vgl file and a report (docs/import.md, Falco).
// Items are read in order (falco_yaml), appends and overrides applied as Falco applies them,
// conditions parsed (falco_condition) and converted (falco_translate), tests derived
// (falco_testgen) and everything written (falco_writer).
#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "importer/falco/falco_condition.h"
#include "importer/falco/falco_testgen.h"
#include "importer/falco/falco_translate.h"
#include "importer/falco/falco_writer.h"
#include "importer/falco/falco_yaml.h"
#include "importer/importer.h"
#include "importer/vgl_text.h"
#include "lang/events.h"
#include "lang/fields.h"

namespace vigil::importer {
namespace {

using falco::FalcoItem;
using falco::FNode;
using falco::VNode;
using falco::VValue;

// Where a condition error at `offset` is in the file: the line of the condition plus the lines
// before the offset (block scalars start on the line after the key).
std::string ConditionPosition(const FalcoItem& it, size_t offset) {
  falco::Position p = it.condition_pos;
  size_t nl = std::count(it.condition.begin(),
                         it.condition.begin() + std::min(offset, it.condition.size()), '\n');
  size_t line_start = it.condition.rfind('\n', offset == 0 ? 0 : offset - 1);
  size_t col = line_start == std::string::npos ? offset : offset - line_start - 1;
  if (nl == 0 && p.col > 0) {
    p.col += static_cast<int>(col);
  } else {
    p.line += static_cast<int>(nl);
    p.col = static_cast<int>(col) + 1;
  }
  return p.Text();
}

std::string LicenseOf(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  for (int i = 0; i < 20 && std::getline(in, line); ++i) {
    auto k = line.find("SPDX-License-Identifier:");
    if (k != std::string::npos) {
      std::string v = line.substr(k + 24);
      v.erase(0, v.find_first_not_of(' '));
      while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
      return v;
    }
  }
  return "";
}

// The event types a condition can match; nullopt: any.
std::optional<std::set<std::string>> TypesOf(const VNode& n) {
  using K = VNode::Kind;
  switch (n.kind) {
    case K::kFalse:
      return std::set<std::string>{};
    case K::kPred:
      if (n.field == "evt.type" && (n.op == "==" || n.op == "in")) {
        std::set<std::string> s;
        for (const auto& v : n.values) s.insert(v.text);
        return s;
      }
      return std::nullopt;
    case K::kAnd: {
      std::optional<std::set<std::string>> acc;
      for (const auto& k : n.kids) {
        auto t = TypesOf(k);
        if (!t) continue;
        if (!acc) {
          acc = t;
        } else {
          std::set<std::string> both;
          for (const auto& x : *acc)
            if (t->count(x)) both.insert(x);
          acc = both;
        }
      }
      return acc;
    }
    case K::kOr: {
      std::set<std::string> acc;
      for (const auto& k : n.kids) {
        auto t = TypesOf(k);
        if (!t) return std::nullopt;
        acc.insert(t->begin(), t->end());
      }
      return acc;
    }
    default:
      return std::nullopt;
  }
}

struct Resolved {
  std::vector<FalcoItem> rules;  // in first-definition order, appends applied
  std::map<std::string, std::vector<std::string>> lists;
  std::map<std::string, FalcoItem> macros;
  std::vector<std::string> problems;  // appends to nothing, ...
  std::vector<RuleReport> orphan_rules;
};

void Resolve(std::vector<FalcoItem> items, Resolved* r) {
  std::map<std::string, size_t> rule_index;
  for (auto& it : items) {
    bool appending = it.append || !it.overrides.empty();
    switch (it.kind) {
      case FalcoItem::Kind::kList: {
        auto old = r->lists.find(it.name);
        if (appending && old == r->lists.end()) {
          r->problems.push_back(it.pos.Text() + ": list '" + it.name +
                                "' appends to a list no input declares; dropped");
        } else if (appending && (it.append || it.overrides["items"] == "append")) {
          old->second.insert(old->second.end(), it.items.begin(), it.items.end());
        } else {
          r->lists[it.name] = it.items;
        }
        break;
      }
      case FalcoItem::Kind::kMacro: {
        auto old = r->macros.find(it.name);
        if (appending && old == r->macros.end()) {
          r->problems.push_back(it.pos.Text() + ": macro '" + it.name +
                                "' appends to a macro no input declares; dropped");
        } else if (appending && (it.append || it.overrides["condition"] == "append")) {
          old->second.condition += " " + it.condition;
        } else {
          r->macros[it.name] = it;
        }
        break;
      }
      case FalcoItem::Kind::kRule: {
        auto idx = rule_index.find(it.name);
        if (appending && idx == rule_index.end()) {
          RuleReport rep;
          rep.file = it.pos.file;
          rep.id = rep.title = it.name;
          rep.conversion = Conversion::kNotConverted;
          rep.reason = it.pos.Text() + ": appends to a rule no input declares";
          r->orphan_rules.push_back(rep);
        } else if (appending) {
          FalcoItem& old = r->rules[idx->second];
          auto mode = [&](const std::string& key) {
            if (it.append) return std::string("append");
            auto o = it.overrides.find(key);
            return o == it.overrides.end() ? std::string() : o->second;
          };
          if (it.Has("condition")) {
            if (mode("condition") == "append")
              old.condition += " " + it.condition;
            else if (mode("condition") == "replace")
              old.condition = it.condition;
          }
          for (const char* key : {"output", "desc"}) {
            std::string& dst = std::string(key) == "output" ? old.output : old.desc;
            const std::string& src = std::string(key) == "output" ? it.output : it.desc;
            if (!it.Has(key)) continue;
            if (mode(key) == "append")
              dst += " " + src;
            else if (mode(key) == "replace")
              dst = src;
          }
          if (it.Has("priority") && mode("priority") == "replace") old.priority = it.priority;
          if (it.Has("enabled")) old.enabled = it.enabled;
          if (it.Has("tags")) {
            if (mode("tags") == "replace") old.tags.clear();
            old.tags.insert(old.tags.end(), it.tags.begin(), it.tags.end());
          }
          if (it.Has("exceptions")) {
            if (mode("exceptions") == "replace") old.exceptions.clear();
            for (auto& e : it.exceptions) {
              auto same =
                  std::find_if(old.exceptions.begin(), old.exceptions.end(),
                               [&](const falco::FalcoException& x) { return x.name == e.name; });
              if (same == old.exceptions.end())
                old.exceptions.push_back(e);
              else
                same->values.insert(same->values.end(), e.values.begin(), e.values.end());
            }
          }
        } else if (idx != rule_index.end()) {
          r->rules[idx->second] = it;  // a later definition replaces the rule, as in Falco
        } else if (!it.Has("condition") && it.Has("enabled")) {
          RuleReport rep;
          rep.file = it.pos.file;
          rep.id = rep.title = it.name;
          rep.conversion = Conversion::kNotConverted;
          rep.reason = it.pos.Text() + ": enables or disables a rule no input declares";
          r->orphan_rules.push_back(rep);
        } else {
          rule_index[it.name] = r->rules.size();
          r->rules.push_back(it);
        }
        break;
      }
    }
  }
}

// A Falco exception as a vigil `exception` line, and the same test as a condition (for the
// derived test cases). An error is why it cannot be converted.
Result<std::string> ConvertException(const falco::FalcoException& e, const Resolved& res,
                                     VNode* as_condition) {
  struct Col {
    std::string field, op;
    lang::Type type;
  };
  std::vector<Col> cols;
  for (size_t i = 0; i < e.fields.size(); ++i) {
    std::string vf = falco::Translator::OutputField(e.fields[i]);
    if (vf.empty() || vf == "proc.args" || vf == "evt.retval" || vf.rfind("net.", 0) == 0 ||
        vf == "open.flags" || vf == "ptrace.request_name")
      return Error{"exception '" + e.name + "': the field " + e.fields[i] +
                   " has no vigil counterpart for exceptions"};
    auto id = lang::FieldByName(vf.substr(0, vf.find('[')));
    lang::Type t = lang::Field(*id).type;
    if (t != lang::Type::kString && t != lang::Type::kInt && t != lang::Type::kUint)
      return Error{"exception '" + e.name + "': the field " + e.fields[i] +
                   " is not a string or number"};
    std::string c = e.comps[i];
    std::string op = c == "=" ? "==" : c == "pmatch" ? "startswith" : c;
    static const std::set<std::string> kOps = {"==",       "!=",       "in",        "startswith",
                                               "endswith", "contains", "icontains", "glob"};
    if (!kOps.count(op))
      return Error{"exception '" + e.name + "': the comparison " + c + " has no vigil counterpart"};
    if (t != lang::Type::kString && op != "==" && op != "!=" && op != "in")
      return Error{"exception '" + e.name + "': " + c + " on a number"};
    cols.push_back({vf, op, t});
  }
  auto value = [&](const Col& c, const std::string& v, VValue* out) -> Result<std::string> {
    if (c.type == lang::Type::kString) {
      *out = VValue{VValue::Kind::kString, v, 0};
      return VglString(v);
    }
    try {
      size_t used = 0;
      long long x = std::stoll(v, &used);
      if (used != v.size()) throw std::invalid_argument(v);
      *out = VValue{VValue::Kind::kInt, "", x};
      return std::to_string(x);
    } catch (const std::exception&) {
      return Error{"exception '" + e.name + "': '" + v + "' is not a number"};
    }
  };
  auto expand = [&](const std::vector<std::string>& vals) {
    std::vector<std::string> out;
    for (const auto& v : vals) {
      auto l = res.lists.find(v);
      if (l != res.lists.end())
        out.insert(out.end(), l->second.begin(), l->second.end());
      else
        out.push_back(v);
    }
    return out;
  };
  std::string line = "exception " + VglName("", e.name) + ":";
  bool one_in = cols.size() == 1 && cols[0].op == "in";
  for (size_t i = 0; i < cols.size(); ++i)
    line += std::string(i ? "," : "") + " " + cols[i].field +
            (cols[i].op == "==" || one_in ? "" : " " + cols[i].op);
  line += " in [";
  VNode any;
  any.kind = VNode::Kind::kOr;
  bool first_tuple = true;
  for (const auto& tuple : e.values) {
    VNode all;
    all.kind = VNode::Kind::kAnd;
    std::string text;
    for (size_t i = 0; i < cols.size(); ++i) {
      const Col& c = cols[i];
      auto vals = expand(tuple[i]);
      std::vector<VValue> vv;
      std::string rendered;
      for (const auto& v : vals) {
        VValue x;
        auto r = value(c, v, &x);
        if (!r) return Error{r.error()};
        rendered += (rendered.empty() ? "" : ", ") + *r;
        vv.push_back(x);
      }
      if (one_in) {
        for (size_t k = 0; k < vv.size(); ++k) {
          auto r = value(c, vals[k], &vv[k]);
          line += (first_tuple ? "" : ", ") + *r;
          first_tuple = false;
          any.kids.push_back(falco::Pred(c.field, "==", {vv[k]}));
        }
        continue;
      }
      if (c.op == "in") {
        text += std::string(i ? ", " : "") + "[" + rendered + "]";
      } else {
        if (vv.size() != 1) return Error{"exception '" + e.name + "': a list value for " + c.op};
        text += std::string(i ? ", " : "") + rendered;
      }
      all.kids.push_back(falco::Pred(c.field, c.op, vv));
    }
    if (one_in) continue;
    line += (first_tuple ? "" : ", ") + (cols.size() == 1 ? text : "(" + text + ")");
    first_tuple = false;
    any.kids.push_back(std::move(all));
  }
  line += "]";
  *as_condition = falco::Not(std::move(any));
  return line;
}

}  // namespace

Result<ImportResult> ImportFalco(const ImportOptions& options) {
  std::vector<FalcoItem> items;
  std::map<std::string, std::string> licenses;
  for (const auto& path : options.inputs) {
    auto r = falco::ReadFalcoFile(path);
    if (!r) return Error{r.error()};
    licenses[path] = LicenseOf(path);
    for (auto& it : *r) items.push_back(std::move(it));
  }
  Resolved res;
  Resolve(std::move(items), &res);

  falco::Vocabulary voc;
  voc.lists = res.lists;
  for (const auto& [name, m] : res.macros) {
    auto c = falco::ParseCondition(m.condition);
    if (!c) {
      voc.macro_errors[name] = ConditionPosition(m, c.error().offset) + ": " + c.error().message;
      continue;
    }
    voc.macros[name] = std::move(*c);
  }
  falco::Translator tr(voc);

  ImportResult result;
  result.report.format = "falco";
  std::string rules_text;
  std::set<std::string> used_names;
  std::vector<std::string> used_lists, used_macros;
  for (const auto& it : res.rules) {
    RuleReport rep;
    rep.file = it.pos.file;
    rep.id = rep.title = it.name;
    auto fail = [&](const std::string& why) {
      rep.conversion = Conversion::kNotConverted;
      rep.reason = why;
      result.report.rules.push_back(rep);
    };
    if (!it.Has("condition")) {
      fail(it.pos.Text() + ": the rule has no condition");
      continue;
    }
    auto parsed = falco::ParseCondition(it.condition);
    if (!parsed) {
      fail(ConditionPosition(it, parsed.error().offset) + ": " + parsed.error().message);
      continue;
    }
    std::set<std::string> approx;
    auto cond = tr.Condition(*parsed, &approx);
    if (!cond) {
      fail(cond.error());
      continue;
    }
    auto types = TypesOf(*cond);
    if (!types) {
      fail("the condition does not say which syscalls (evt.type) it applies to");
      continue;
    }
    if (types->empty() || cond->kind == VNode::Kind::kFalse) {
      fail("no event type vigil observes can match the converted condition");
      continue;
    }
    falco::ConvertedRule cr;
    cr.item = &it;
    for (const auto& t : lang::AllEventTypes())
      if (types->count(std::string(t.name))) cr.event_types.push_back(std::string(t.name));
    cr.condition = *cond;
    cr.license = licenses[it.pos.file];
    VNode evaluated = *cond;
    bool bad_exception = false;
    for (const auto& e : it.exceptions) {
      VNode as_cond;
      auto line = ConvertException(e, res, &as_cond);
      if (!line) {
        fail(line.error());
        bad_exception = true;
        break;
      }
      cr.exceptions.push_back(*line);
      VNode both;
      both.kind = VNode::Kind::kAnd;
      both.kids = {std::move(evaluated), std::move(as_cond)};
      evaluated = falco::Simplify(std::move(both));
    }
    if (bad_exception) continue;
    std::string name = VglName("falco_", it.name);
    while (used_names.count(name) || tr.Lists().count(name) || tr.MacroBodies().count(name))
      name += "_rule";
    used_names.insert(name);
    cr.vigil_name = name;
    cr.tests = falco::DeriveTests(evaluated, cr.event_types);
    if (!cr.tests.alert)
      approx.insert("no test case could be derived from the condition");
    else if (!cr.tests.quiet)
      approx.insert("no quiet test case could be derived");
    rules_text += "\n" + falco::WriteRule(cr, &approx);
    falco::Collect(*cond, nullptr, &used_lists, &used_macros);
    rep.vigil_rule = name;
    rep.approximations.assign(approx.begin(), approx.end());
    rep.conversion = approx.empty() ? Conversion::kExact : Conversion::kApproximate;
    result.report.rules.push_back(rep);
  }
  for (auto& o : res.orphan_rules) result.report.rules.push_back(o);

  // Macros used inside used macros.
  for (size_t i = 0; i < used_macros.size(); ++i) {
    auto body = tr.MacroBodies().find(used_macros[i]);
    if (body == tr.MacroBodies().end()) continue;
    for (const auto& [name, b] : tr.MacroBodies()) {
      (void)b;
      if (body->second.find(name) == std::string::npos) continue;
      if (std::find(used_macros.begin(), used_macros.end(), name) == used_macros.end())
        used_macros.push_back(name);
    }
  }
  std::string text = "# Generated by `vigil import falco` from";
  for (const auto& p : options.inputs) text += " " + p;
  text += ".\n# Lists and macros carry the prefix falco_; see docs/import.md (Falco).\n";
  std::sort(used_lists.begin(), used_lists.end());
  std::sort(used_macros.begin(), used_macros.end());
  for (const auto& l : used_lists) {
    const auto& vals = tr.Lists().at(l);
    text += "\nlist " + l + " = [";
    for (size_t i = 0; i < vals.size(); ++i) {
      text += i ? ", " : "";
      text += vals[i].kind == VValue::Kind::kString ? VglString(vals[i].text)
                                                    : std::to_string(vals[i].number);
    }
    text += "]";
  }
  if (!used_lists.empty()) text += "\n";
  for (const auto& m : used_macros) {
    // A body that mentions another macro's name as a substring only is harmless: the name is
    // declared, unused.
    if (!tr.MacroBodies().count(m)) continue;
    text += "\nmacro " + m + " = " + tr.MacroBodies().at(m);
  }
  if (!used_macros.empty()) text += "\n";
  result.vgl = text + rules_text;

  size_t list_total = res.lists.size(), macro_total = res.macros.size();
  result.report.notes.push_back(
      std::to_string(list_total) + " lists read: " + std::to_string(used_lists.size()) +
      " written as vigil lists, " + std::to_string(list_total - used_lists.size()) +
      " dropped (unused by the converted rules, written out in place, or empty)");
  result.report.notes.push_back(
      std::to_string(macro_total) + " macros read: " + std::to_string(used_macros.size()) +
      " written as vigil macros, " + std::to_string(macro_total - used_macros.size()) +
      " dropped (unused, constant such as never_true, or inlined where converted with an "
      "approximation)");
  for (const auto& [name, err] : voc.macro_errors)
    result.report.notes.push_back("macro '" + name + "' does not parse: " + err);
  for (const auto& p : res.problems) result.report.notes.push_back(p);
  return result;
}

}  // namespace vigil::importer
