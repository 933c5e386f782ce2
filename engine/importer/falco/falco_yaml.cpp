#include "importer/falco/falco_yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace vigil::importer::falco {
namespace {

Position At(const std::string& file, const YAML::Mark& m) {
  return Position{file, m.line + 1, m.column + 1};
}

Error Fail(const Position& p, const std::string& message) {
  return Error{p.Text() + ": " + message};
}

const char* KindName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "null";
    default:
      return "nothing";
  }
}

// A scalar's text, or an error at the node.
Result<std::string> Scalar(const std::string& file, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar())
    return Fail(At(file, n.Mark()), what + " must be a string, not " + KindName(n));
  return n.Scalar();
}

Result<std::vector<std::string>> ScalarList(const std::string& file, const YAML::Node& n,
                                            const std::string& what) {
  std::vector<std::string> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence())
    return Fail(At(file, n.Mark()), what + " must be a sequence, not " + KindName(n));
  for (const auto& e : n) {
    if (!e.IsScalar())
      return Fail(At(file, e.Mark()), what + ": each item must be a scalar, not " + KindName(e));
    out.push_back(e.Scalar());
  }
  return out;
}

Result<bool> Bool(const std::string& file, const YAML::Node& n, const std::string& what) {
  if (n.IsScalar()) {
    std::string s = n.Scalar();
    if (s == "true" || s == "True" || s == "yes") return true;
    if (s == "false" || s == "False" || s == "no") return false;
  }
  return Fail(At(file, n.Mark()), what + " must be true or false");
}

Result<FalcoException> ReadException(const std::string& file, const YAML::Node& n) {
  if (!n.IsMap()) return Fail(At(file, n.Mark()), "an exception must be a mapping");
  FalcoException e;
  e.pos = At(file, n.Mark());
  for (const auto& kv : n) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const YAML::Node& v = kv.second;
    if (key == "name") {
      auto s = Scalar(file, v, "exception name");
      if (!s) return Error{s.error()};
      e.name = *s;
    } else if (key == "fields") {
      if (v.IsScalar()) {
        e.fields = {v.Scalar()};
      } else {
        auto l = ScalarList(file, v, "exception fields");
        if (!l) return Error{l.error()};
        e.fields = *l;
      }
    } else if (key == "comps") {
      if (v.IsScalar()) {
        e.comps = {v.Scalar()};
      } else {
        auto l = ScalarList(file, v, "exception comps");
        if (!l) return Error{l.error()};
        e.comps = *l;
      }
    } else if (key == "values") {
      if (!v.IsSequence() && !v.IsNull())
        return Fail(At(file, v.Mark()), "exception values must be a sequence");
      for (const auto& tuple : v) {
        std::vector<std::vector<std::string>> t;
        auto one = [&](const YAML::Node& x) -> Result<std::vector<std::string>> {
          if (x.IsScalar()) return std::vector<std::string>{x.Scalar()};
          return ScalarList(file, x, "exception value");
        };
        if (tuple.IsScalar()) {
          t.push_back({tuple.Scalar()});
        } else if (tuple.IsSequence()) {
          for (const auto& x : tuple) {
            auto vals = one(x);
            if (!vals) return Error{vals.error()};
            t.push_back(*vals);
          }
        } else {
          return Fail(At(file, tuple.Mark()), "an exception tuple must be a sequence");
        }
        e.values.push_back(std::move(t));
      }
    } else {
      return Fail(At(file, kv.first.Mark()), "unknown exception key '" + key + "'");
    }
  }
  if (e.name.empty()) return Fail(e.pos, "an exception needs a name");
  if (e.fields.empty()) return Fail(e.pos, "exception '" + e.name + "' needs fields");
  if (e.comps.empty()) e.comps.assign(e.fields.size(), "=");
  if (e.comps.size() != e.fields.size())
    return Fail(e.pos, "exception '" + e.name + "': " + std::to_string(e.comps.size()) +
                           " comps for " + std::to_string(e.fields.size()) + " fields");
  for (const auto& t : e.values)
    if (t.size() != e.fields.size())
      return Fail(e.pos, "exception '" + e.name + "': a tuple of " + std::to_string(t.size()) +
                             " values for " + std::to_string(e.fields.size()) + " fields");
  return e;
}

Result<FalcoItem> ReadItem(const std::string& file, const YAML::Node& n) {
  FalcoItem item;
  item.pos = At(file, n.Mark());
  bool kind_seen = false;
  for (const auto& kv : n) {
    if (!kv.first.IsScalar()) return Fail(At(file, kv.first.Mark()), "a key must be a string");
    std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    item.keys.push_back(key);
    Result<std::string> s = std::string();
    if (key == "rule" || key == "macro" || key == "list") {
      if (kind_seen) return Fail(At(file, kv.first.Mark()), "an item has one of rule, macro, list");
      kind_seen = true;
      item.kind = key == "rule"    ? FalcoItem::Kind::kRule
                  : key == "macro" ? FalcoItem::Kind::kMacro
                                   : FalcoItem::Kind::kList;
      if (!(s = Scalar(file, v, key + " name"))) return Error{s.error()};
      item.name = *s;
      if (item.name.empty()) return Fail(At(file, v.Mark()), key + " name is empty");
    } else if (key == "condition") {
      if (!(s = Scalar(file, v, "condition"))) return Error{s.error()};
      item.condition = *s;
      item.condition_pos = At(file, v.Mark());
    } else if (key == "desc") {
      if (!(s = Scalar(file, v, "desc"))) return Error{s.error()};
      item.desc = *s;
    } else if (key == "output") {
      if (!(s = Scalar(file, v, "output"))) return Error{s.error()};
      item.output = *s;
    } else if (key == "priority") {
      if (!(s = Scalar(file, v, "priority"))) return Error{s.error()};
      item.priority = *s;
    } else if (key == "items") {
      auto l = ScalarList(file, v, "items");
      if (!l) return Error{l.error()};
      item.items = *l;
    } else if (key == "tags") {
      auto l = ScalarList(file, v, "tags");
      if (!l) return Error{l.error()};
      item.tags = *l;
    } else if (key == "enabled") {
      auto b = Bool(file, v, "enabled");
      if (!b) return Error{b.error()};
      item.enabled = *b;
    } else if (key == "append") {
      auto b = Bool(file, v, "append");
      if (!b) return Error{b.error()};
      item.append = *b;
    } else if (key == "override") {
      if (!v.IsMap()) return Fail(At(file, v.Mark()), "override must be a mapping");
      for (const auto& o : v) {
        if (!o.first.IsScalar() || !o.second.IsScalar() ||
            (o.second.Scalar() != "append" && o.second.Scalar() != "replace"))
          return Fail(At(file, o.second.Mark()), "override values are append or replace");
        item.overrides[o.first.Scalar()] = o.second.Scalar();
      }
    } else if (key == "exceptions") {
      if (!v.IsSequence() && !v.IsNull())
        return Fail(At(file, v.Mark()), "exceptions must be a sequence");
      for (const auto& e : v) {
        auto ex = ReadException(file, e);
        if (!ex) return Error{ex.error()};
        item.exceptions.push_back(std::move(*ex));
      }
    } else if (key == "source" || key == "warn_evttypes" || key == "skip-if-unknown-filter" ||
               key == "required_engine_version" || key == "capture" || key == "capture_duration") {
      // read and ignored: they do not change what a rule detects
    } else {
      return Fail(At(file, kv.first.Mark()), "unknown key '" + key + "'");
    }
  }
  if (!kind_seen) return Fail(item.pos, "an item needs one of rule, macro, list");
  return item;
}

}  // namespace

std::string Position::Text() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

bool FalcoItem::Has(const std::string& key) const {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

Result<std::vector<FalcoItem>> ParseFalcoText(const std::string& text, const std::string& file) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return Fail(At(file, e.mark), "malformed YAML: " + e.msg);
  }
  std::vector<FalcoItem> out;
  for (const auto& doc : docs) {
    if (doc.IsNull()) continue;
    if (!doc.IsSequence())
      return Fail(At(file, doc.Mark()),
                  "a Falco rules file is a sequence of items, not " + std::string(KindName(doc)));
    for (const auto& n : doc) {
      if (!n.IsMap())
        return Fail(At(file, n.Mark()),
                    std::string("an item must be a mapping, not ") + KindName(n));
      if (n["required_engine_version"] || n["required_plugin_versions"]) continue;
      auto item = ReadItem(file, n);
      if (!item) return Error{item.error()};
      out.push_back(std::move(*item));
    }
  }
  return out;
}

Result<std::vector<FalcoItem>> ReadFalcoFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot read the file"};
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseFalcoText(ss.str(), path);
}

}  // namespace vigil::importer::falco
