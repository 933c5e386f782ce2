#include "importer/sigma/sigma_rule.h"

#include <algorithm>
#include <map>
#include <set>

#include "importer/sigma/sigma_condition.h"
#include "importer/sigma/sigma_modifiers.h"
#include "lang/events.h"
#include "lang/fields.h"

namespace vigil::importer::sigma {
namespace {

std::string Upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

Error At(const std::string& file, const YAML::Node& node, const std::string& what) {
  return Error{NodePosition(file, node) + ": " + what};
}

// An optional scalar property.
Result<std::string> Text(const YAML::Node& doc, const char* key, const std::string& file) {
  YAML::Node n = doc[key];
  if (!n || n.IsNull()) return std::string();
  if (!n.IsScalar()) return At(file, n, std::string("'") + key + "' must be a string");
  return n.Scalar();
}

Result<std::vector<std::string>> TextList(const YAML::Node& doc, const char* key,
                                          const std::string& file) {
  std::vector<std::string> out;
  YAML::Node n = doc[key];
  if (!n || n.IsNull()) return out;
  if (n.IsScalar()) return std::vector<std::string>{n.Scalar()};
  if (!n.IsSequence()) return At(file, n, std::string("'") + key + "' must be a list of strings");
  for (const auto& item : n) {
    if (!item.IsScalar()) return At(file, item, std::string("'") + key + "' holds a non-string");
    out.push_back(item.Scalar());
  }
  return out;
}

std::vector<SigmaValue> Values(const YAML::Node& n) {
  std::vector<SigmaValue> out;
  auto one = [&](const YAML::Node& v) {
    if (v.IsNull())
      out.push_back(std::nullopt);
    else
      out.push_back(v.Scalar());
  };
  if (n.IsSequence())
    for (const auto& v : n) one(v);
  else
    one(n);
  return out;
}

bool ScalarOrNull(const YAML::Node& n) {
  return n.IsScalar() || n.IsNull();
}

Result<Expr> Keywords(const YAML::Node& n, const std::vector<std::string>& modifiers,
                      LogSource source, const std::string& file,
                      std::vector<std::string>& approximations) {
  if (source == LogSource::kAuditd || source == LogSource::kOther)
    return At(file, n,
              "keywords search the raw log line, which no vigil event carries (missing field)");
  approximations.push_back(
      "keywords are matched in proc.cmdline only (Sigma searches every field of the event)");
  std::vector<std::string> mods = modifiers;
  if (std::find(mods.begin(), mods.end(), "contains") == mods.end()) mods.push_back("contains");
  FieldMapping m{{"proc.cmdline", FieldType::kString}, "", false};
  auto e = FieldCondition(m, mods, Values(n), approximations);
  if (!e) return At(file, n, e.error());
  return e;
}

Result<Expr> MapCondition(const YAML::Node& map, LogSource source, const std::string& file,
                          std::vector<std::string>& approximations) {
  std::vector<Expr> parts;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) return At(file, kv.first, "a field name must be a string");
    std::string key = kv.first.Scalar();
    std::vector<std::string> pieces;
    size_t start = 0;
    for (size_t bar; (bar = key.find('|', start)) != std::string::npos; start = bar + 1)
      pieces.push_back(key.substr(start, bar - start));
    pieces.push_back(key.substr(start));
    std::string field = pieces[0];
    std::vector<std::string> modifiers(pieces.begin() + 1, pieces.end());
    const YAML::Node& value = kv.second;
    bool ok = ScalarOrNull(value);
    if (value.IsSequence()) {
      ok = true;
      for (const auto& v : value) ok = ok && ScalarOrNull(v);
    }
    if (!ok) return At(file, value, "the value of '" + key + "' must be a string, number or list");
    if (value.IsSequence() && value.size() == 0)
      return At(file, value, "the value of '" + key + "' is an empty list");
    if (field.empty()) {
      auto e = Keywords(value, modifiers, source, file, approximations);
      if (!e) return e;
      parts.push_back(std::move(*e));
      continue;
    }
    auto mapping = MapField(source, field);
    if (!mapping)
      return At(file, kv.first, "missing field: Sigma's '" + field + "' has no vigil field");
    auto e = FieldCondition(*mapping, modifiers, Values(value), approximations);
    if (!e) return At(file, kv.first, e.error());
    parts.push_back(std::move(*e));
  }
  if (parts.empty()) return At(file, map, "an empty selection");
  return And(std::move(parts));
}

// The event types of the syscall named in an auditd SYSCALL field.
std::vector<std::string> TypesOfSyscall(const std::string& syscall) {
  if (syscall == "execve" || syscall == "execveat") return {"exec"};
  std::vector<std::string> out;
  for (const auto& info : lang::AllEventTypes()) {
    std::string_view s = info.sources;
    size_t pos = 0;
    while (pos < s.size()) {
      size_t end = s.find_first_of(", ()", pos);
      if (end == std::string_view::npos) end = s.size();
      if (s.substr(pos, end - pos) == syscall) {
        out.emplace_back(info.name);
        break;
      }
      pos = end + 1;
    }
  }
  return out;
}

const std::set<std::string>& PathTypes() {
  static const std::set<std::string> types = [] {
    std::set<std::string> t;
    auto id = lang::FieldByName("file.path");
    for (const auto& info : lang::AllEventTypes())
      if (lang::Field(*id).events & lang::Bit(info.type)) t.emplace(info.name);
    return t;
  }();
  return types;
}

// Replaces tests of fields the event type does not carry by false (what they are on its events).
Expr ForType(const Expr& e, lang::EventType type) {
  if (e.kind == Expr::Kind::kLeaf) {
    auto id = lang::FieldByName(e.test.field.name);
    if (id && !(lang::Field(*id).events & lang::Bit(type))) return Const(false);
    return e;
  }
  Expr out = e;
  for (auto& k : out.kids) k = ForType(k, type);
  return Simplify(out);
}

struct TypeDecision {
  std::vector<std::string> types;
  Expr condition;
};

Result<TypeDecision> DecideTypes(const Expr& cond, LogSource source,
                                 std::vector<std::string>& approximations) {
  std::vector<std::string> candidates = CandidateEventTypes(source);
  std::set<std::string> no_sensor;  // auditd record types / syscalls vigil has no event for
  bool mentions_syscall = Mentions(cond, kAuditSyscallField);
  if (source == LogSource::kAuditd && !Mentions(cond, kAuditTypeField) && !mentions_syscall) {
    candidates = {"exec"};
    approximations.push_back(
        "the auditd rule names no record type: taken as EXECVE records (the process's exec)");
  } else if (source == LogSource::kAuditd) {
    for (const auto& info : lang::AllEventTypes()) candidates.emplace_back(info.name);
  }
  bool syscall_as_exec = false;
  std::vector<std::pair<std::string, Expr>> per_type;
  for (const auto& t : candidates) {
    Expr e = Substitute(cond, kDirectionField, [&](const Test& test) {
      return (test.text == "true") == (t == "connect");
    });
    e = Substitute(e, kAuditTypeField, [&](const Test& test) {
      std::string rt = Upper(test.text);
      if (rt == "EXECVE") return t == "exec";
      if (rt == "PATH") return PathTypes().count(t) > 0;
      if (rt == "SYSCALL") {
        if (mentions_syscall) return true;
        syscall_as_exec = true;
        return t == "exec";
      }
      no_sensor.insert("record type " + rt);
      return false;
    });
    e = Substitute(e, kAuditSyscallField, [&](const Test& test) {
      auto types = TypesOfSyscall(test.text);
      if (types.empty()) no_sensor.insert("syscall " + test.text);
      return std::find(types.begin(), types.end(), t) != types.end();
    });
    e = ForType(e, *lang::EventTypeByName(t));
    if (e.kind == Expr::Kind::kConst && !e.value) continue;
    per_type.emplace_back(t, e);
  }
  std::string missing;
  for (const auto& n : no_sensor) missing += (missing.empty() ? "" : ", ") + n;
  if (per_type.empty()) {
    if (!missing.empty()) return Error{"log source without a sensor: auditd " + missing};
    return Error{"the condition can never be true on the events vigil has for this log source"};
  }
  if (!missing.empty())
    approximations.push_back("the parts of the condition on auditd " + missing +
                             " were dropped: vigil has no sensor for them");
  if (syscall_as_exec)
    approximations.push_back(
        "an auditd SYSCALL record without a syscall name is taken as the process's exec");
  TypeDecision d;
  std::map<std::string, std::vector<std::string>> groups;  // rendered condition -> types
  std::map<std::string, Expr> by_text;
  std::vector<std::string> order;
  for (const auto& [t, e] : per_type) {
    std::string text = RenderCondition(e);
    if (!groups.count(text)) order.push_back(text);
    groups[text].push_back(t);
    by_text.emplace(text, e);
    d.types.push_back(t);
  }
  if (groups.size() == 1) {
    d.condition = per_type[0].second;
    return d;
  }
  std::vector<Expr> alternatives;
  for (const auto& text : order) {
    std::vector<Expr> type_tests;
    for (const auto& t : groups[text])
      type_tests.push_back(Leaf({{"evt.type", FieldType::kString}, Op::kEq, t, 0, false}));
    alternatives.push_back(And({Or(std::move(type_tests)), by_text[text]}));
  }
  d.condition = Or(std::move(alternatives));
  return d;
}

}  // namespace

std::string NodePosition(const std::string& file, const YAML::Node& node) {
  YAML::Mark m = node.Mark();
  if (m.is_null()) return file;
  return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

Result<SigmaRule> ReadMetadata(const YAML::Node& doc, const std::string& file) {
  SigmaRule r;
  r.file = file;
  if (!doc.IsMap()) return At(file, doc, "a Sigma rule must be a mapping");
  struct {
    const char* key;
    std::string* to;
  } texts[] = {{"id", &r.id},         {"name", &r.name},
               {"title", &r.title},   {"description", &r.description},
               {"author", &r.author}, {"level", &r.level}};
  for (auto& t : texts) {
    auto v = Text(doc, t.key, file);
    if (!v) return Error{v.error()};
    *t.to = *v;
  }
  auto refs = TextList(doc, "references", file);
  if (!refs) return Error{refs.error()};
  r.references = *refs;
  auto tags = TextList(doc, "tags", file);
  if (!tags) return Error{tags.error()};
  r.tags = *tags;
  if (r.title.empty()) return At(file, doc, "the rule has no title");
  return r;
}

Result<Expr> SelectionCondition(const YAML::Node& item, LogSource source, const std::string& file,
                                std::vector<std::string>& approximations) {
  if (item.IsMap()) return MapCondition(item, source, file, approximations);
  if (item.IsSequence()) {
    if (item.size() == 0) return At(file, item, "an empty selection");
    bool maps = item[0].IsMap();
    std::vector<Expr> alternatives;
    for (const auto& sub : item) {
      if (sub.IsMap() != maps || !(sub.IsMap() || ScalarOrNull(sub)))
        return At(file, sub, "a selection list mixes field maps and keywords");
    }
    if (!maps) return Keywords(item, {}, source, file, approximations);
    for (const auto& sub : item) {
      auto e = MapCondition(sub, source, file, approximations);
      if (!e) return e;
      alternatives.push_back(std::move(*e));
    }
    return Or(std::move(alternatives));
  }
  if (item.IsScalar()) return Keywords(item, {}, source, file, approximations);
  return At(file, item, "a selection must be a map of fields, a list, or keywords");
}

Result<SigmaRule> ConvertRule(const YAML::Node& doc, const std::string& file) {
  auto meta = ReadMetadata(doc, file);
  if (!meta) return meta;
  SigmaRule r = std::move(*meta);
  YAML::Node ls = doc["logsource"];
  if (!ls || !ls.IsMap()) return At(file, ls ? ls : doc, "'logsource' must be a mapping");
  std::string product, category, service;
  for (auto [key, to] : {std::pair{"product", &product}, std::pair{"category", &category},
                         std::pair{"service", &service}}) {
    auto v = Text(ls, key, file);
    if (!v) return Error{v.error()};
    *to = *v;
  }
  r.source = ClassifyLogSource(product, category, service);
  if (r.source == LogSource::kOther) {
    std::string what = product;
    if (!category.empty()) what += "/" + category;
    if (!service.empty()) what += " service " + service;
    if (category.empty() && service.empty()) what += " (log lines, no category or service)";
    return At(file, ls, "log source without a sensor: " + what);
  }
  YAML::Node det = doc["detection"];
  if (!det || !det.IsMap()) return At(file, det ? det : doc, "'detection' must be a mapping");
  std::map<std::string, Expr> selections;
  YAML::Node condition;
  for (const auto& kv : det) {
    if (!kv.first.IsScalar()) return At(file, kv.first, "a selection name must be a string");
    std::string name = kv.first.Scalar();
    if (name == "condition") {
      condition = kv.second;
      continue;
    }
    if (name == "timeframe") {
      r.approximations.push_back(
          "detection.timeframe is ignored (it only applies to "
          "aggregations; see correlation rules)");
      continue;
    }
    auto e = SelectionCondition(kv.second, r.source, file, r.approximations);
    if (!e) return Error{e.error()};
    selections[name] = std::move(*e);
  }
  if (!condition) return At(file, det, "detection has no condition");
  std::vector<Expr> conditions;
  std::vector<YAML::Node> written;
  if (condition.IsSequence()) {
    for (const auto& c : condition) written.push_back(c);
  } else {
    written.push_back(condition);
  }
  for (const auto& c : written) {
    if (!c.IsScalar()) return At(file, c, "the condition must be a string");
    auto e = ParseCondition(c.Scalar(), selections);
    if (!e) return At(file, c, e.error());
    conditions.push_back(std::move(*e));
  }
  Expr cond = Or(std::move(conditions));
  if (r.source == LogSource::kFileEvent) {
    cond = And({Leaf({{"open.create", FieldType::kBool}, Op::kTrue, "", 0, false}), cond});
    r.approximations.push_back(
        "file_event (a file created) is an open that may create the file (O_CREAT or O_TMPFILE): "
        "it also matches opening an existing file with O_CREAT");
  }
  auto decided = DecideTypes(cond, r.source, r.approximations);
  if (!decided) return At(file, condition, decided.error());
  r.event_types = decided->types;
  r.condition = decided->condition;
  // Each approximation once, in the order first stated.
  std::vector<std::string> unique;
  for (auto& a : r.approximations)
    if (std::find(unique.begin(), unique.end(), a) == unique.end()) unique.push_back(a);
  r.approximations = std::move(unique);
  return r;
}

}  // namespace vigil::importer::sigma
