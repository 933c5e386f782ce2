#include "importer/sigma/sigma_correlation.h"

#include <cctype>

#include "importer/sigma/sigma_testgen.h"
#include "importer/sigma/sigma_writer.h"
#include "importer/vgl_text.h"

namespace vigil::importer::sigma {
namespace {

Error At(const std::string& file, const YAML::Node& node, const std::string& what) {
  return Error{NodePosition(file, node) + ": " + what};
}

bool IsDuration(const std::string& s) {
  if (s.size() < 2) return false;
  for (size_t i = 0; i + 1 < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  char unit = s.back();
  return unit == 's' || unit == 'm' || unit == 'h' || unit == 'd';
}

std::string OnText(const std::vector<std::string>& types) {
  if (types.size() == 1) return types[0];
  std::string out = "[";
  for (size_t i = 0; i < types.size(); ++i) out += (i ? ", " : "") + types[i];
  return out + "]";
}

}  // namespace

bool IsCorrelation(const YAML::Node& doc) {
  return doc.IsMap() && doc["correlation"];
}

Result<std::string> WriteCorrelation(const YAML::Node& doc, const std::string& file,
                                     const std::map<std::string, const SigmaRule*>& rules,
                                     const std::string& name, SigmaRule& meta) {
  auto read = ReadMetadata(doc, file);
  if (!read) return Error{read.error()};
  meta = *read;
  YAML::Node c = doc["correlation"];
  if (!c.IsMap()) return At(file, c, "'correlation' must be a mapping");
  auto scalar = [&](const char* key) -> std::string {
    YAML::Node n = c[key];
    return n && n.IsScalar() ? n.Scalar() : std::string();
  };
  std::string type = scalar("type");
  std::string timespan = scalar("timespan");
  if (!IsDuration(timespan))
    return At(file, c, "correlation timespan '" + timespan + "' is not N followed by s, m, h or d");
  std::vector<const SigmaRule*> base;
  YAML::Node refs = c["rules"];
  if (!refs || !(refs.IsSequence() || refs.IsScalar()))
    return At(file, c, "correlation 'rules' must name the rules it correlates");
  std::vector<YAML::Node> ref_nodes;
  if (refs.IsScalar()) ref_nodes.push_back(refs);
  for (const auto& r : refs)
    if (refs.IsSequence()) ref_nodes.push_back(r);
  for (const auto& r : ref_nodes) {
    if (!r.IsScalar()) return At(file, r, "a rule reference must be a string");
    auto it = rules.find(r.Scalar());
    if (it == rules.end())
      return At(file, r, "correlated rule '" + r.Scalar() + "' was not converted or not found");
    base.push_back(it->second);
  }
  // group-by: Sigma fields of the first rule's log source.
  std::vector<std::string> by;
  std::map<std::string, FieldType> by_type;
  YAML::Node group = c["group-by"];
  if (group) {
    std::vector<YAML::Node> g;
    if (group.IsScalar()) g.push_back(group);
    if (group.IsSequence())
      for (const auto& f : group) g.push_back(f);
    for (const auto& f : g) {
      if (!f.IsScalar()) return At(file, f, "a group-by field must be a string");
      auto m = MapField(base[0]->source, f.Scalar());
      if (!m || m->field.name.rfind("sigma.", 0) == 0 || !m->approximation.empty())
        return At(file, f, "missing field: group-by '" + f.Scalar() + "' has no vigil field");
      by.push_back(m->field.name);
      by_type[m->field.name] = m->field.type;
    }
  }
  std::string body;
  std::string tests;
  auto by_text = [&] {
    if (by.empty()) return std::string();
    std::string s = "  by         ";
    if (by.size() == 1) return s + by[0] + "\n";
    s += "[";
    for (size_t i = 0; i < by.size(); ++i) s += (i ? ", " : "") + by[i];
    return s + "]\n";
  };
  if (type == "event_count" || type == "value_count") {
    if (base.size() != 1)
      return At(file, refs, type + " over several rules: vigil counts the events of one rule");
    YAML::Node cond = c["condition"];
    if (!cond || !cond.IsMap()) return At(file, c, "correlation condition must be a mapping");
    long n = 0;
    std::string distinct;
    for (const auto& kv : cond) {
      std::string k = kv.first.Scalar();
      if (k == "field") {
        auto m = MapField(base[0]->source, kv.second.Scalar());
        if (!m || m->field.name.rfind("sigma.", 0) == 0)
          return At(file, kv.second, "missing field: '" + kv.second.Scalar() + "'");
        distinct = m->field.name;
      } else if (k == "gte" || k == "gt") {
        n = std::atol(kv.second.Scalar().c_str()) + (k == "gt" ? 1 : 0);
      } else {
        return At(file, kv.first,
                  "correlation condition '" + k + "': vigil fires on at least N events only");
      }
    }
    if (n < 1) return At(file, cond, "correlation condition needs gte or gt of at least 1");
    if (type == "value_count" && distinct.empty())
      return At(file, cond, "value_count needs a condition 'field'");
    const SigmaRule& b = *base[0];
    body += "  on         " + OnText(b.event_types) + "\n";
    body += "  when       " + RenderCondition(b.condition) + "\n";
    body += "  count      " + std::to_string(n) +
            (distinct.empty() ? "" : " distinct " + distinct) + " within " + timespan + "\n";
    body += by_text();
    // The test: n events of one key (distinct values when counting values).
    auto ev = Satisfy(b.condition);
    if (!ev) return Error{"no event of the correlated rule could be built for the test"};
    std::string type0 = b.event_types[0];
    tests += "  alert [\n";
    for (long i = 0; i < n && i < 50; ++i) {
      Event e = *ev;
      for (const auto& f : by)
        if (!e.count(f)) e[f] = EventValue{by_type[f], "k", 1, false};
      if (!distinct.empty()) {
        auto& v = e[distinct];
        v.text += std::to_string(i);
        v.number += i;
      }
      tests += "    " + std::to_string(i) + "s " + type0 + " " + RenderEvent(e) + ",\n";
    }
    tests += "  ]\n";
  } else if (type == "temporal" || type == "temporal_ordered") {
    if (base.size() < 2) return At(file, refs, type + " needs two rules or more");
    if (type == "temporal") body += "  steps      any_order\n";
    tests += "  alert [\n";
    for (size_t i = 0; i < base.size(); ++i) {
      body += "  step       s" + std::to_string(i + 1) + " on " + OnText(base[i]->event_types) +
              " when " + RenderCondition(base[i]->condition) + "\n";
      auto ev = Satisfy(base[i]->condition);
      if (!ev) return Error{"no event of a correlated rule could be built for the test"};
      for (const auto& f : by)
        if (!ev->count(f)) (*ev)[f] = EventValue{by_type[f], "k", 1, false};
      tests += "    " + std::to_string(i) + "s " + base[i]->event_types[0] + " " +
               RenderEvent(*ev) + ",\n";
    }
    tests += "  ]\n";
    body += "  within     " + timespan + "\n";
    body += by_text();
  } else {
    return At(file, c, "correlation type '" + type + "' is not supported");
  }
  std::string out = "# Sigma correlation " + meta.id + ": " + meta.title + "\n";
  out += "rule " + name + " {\n";
  out +=
      "  desc       " + VglString(meta.description.empty() ? meta.title : meta.description) + "\n";
  out += "  severity   " + SeverityFromLevel(meta.level) + "\n";
  out += "  tags       [sigma]\n";
  out += "  origin     " + VglString("sigma:" + meta.id + " (" + file + ")") + "\n";
  if (!meta.author.empty()) out += "  author     " + VglString(meta.author) + "\n";
  out += "  license    \"DRL-1.1\"\n";
  out += body;
  out += "}\n\ntest " + name + " {\n" + tests + "}\n";
  return out;
}

}  // namespace vigil::importer::sigma
