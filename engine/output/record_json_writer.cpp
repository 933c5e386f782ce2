#include "output/record_json_writer.h"

#include <bitset>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "output/json_text.h"

namespace vigil::output {
namespace {

// One object of the layout: its keys in byte order (nlohmann's objects are std::maps, so
// RecordToJson's dump sorts them the same way).
struct LayoutNode {
  enum Kind { kField, kNamespace, kIncomplete, kPolicyVersion, kPolicies };
  struct Item {
    std::string key;  // a JSON key: needs no escaping (registry names are plain ASCII)
    Kind kind;
    lang::FieldId id{};
    const LayoutNode* child = nullptr;
  };
  std::vector<Item> items;
  // Every field under this object, at any depth: an event holds a few dozen of the registry's
  // fields, so most namespaces are skipped on one test instead of a walk over their keys.
  std::bitset<lang::kFieldCount> fields;
};

class Layout {
 public:
  Layout() {
    Build build;
    const auto& all = lang::AllFields();
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].indexed) continue;  // never in the JSON (read from its list)
      Build* node = &build;
      std::string_view name = all[i].name;
      size_t start = 0;
      for (size_t dot = name.find('.'); dot != std::string_view::npos;
           dot = name.find('.', start)) {
        auto& child = node->children[std::string(name.substr(start, dot - start))];
        if (!child) child = std::make_unique<Build>();
        node = child.get();
        start = dot + 1;
      }
      node->fields[std::string(name.substr(start))] = static_cast<lang::FieldId>(i);
    }
    root_ = Seal(build, /*root=*/true);
  }
  const LayoutNode& root() const { return *root_; }

 private:
  struct Build {
    std::map<std::string, std::unique_ptr<Build>> children;
    std::map<std::string, lang::FieldId> fields;
  };

  const LayoutNode* Seal(const Build& b, bool root) {
    // One sorted list of keys: fields, namespaces and, at the top, the metadata keys. The
    // registry has no name that is both a field and a namespace (unit.RecordJsonWriter checks
    // the bytes against RecordToJson for every field).
    std::map<std::string, LayoutNode::Item> sorted;
    for (const auto& [key, id] : b.fields) sorted[key] = {key, LayoutNode::kField, id, nullptr};
    for (const auto& [key, child] : b.children)
      sorted[key] = {key, LayoutNode::kNamespace, {}, Seal(*child, false)};
    if (root) {
      sorted["incomplete"] = {"incomplete", LayoutNode::kIncomplete, {}, nullptr};
      sorted["policy_version"] = {"policy_version", LayoutNode::kPolicyVersion, {}, nullptr};
      sorted["policies"] = {"policies", LayoutNode::kPolicies, {}, nullptr};
    }
    auto node = std::make_unique<LayoutNode>();
    for (auto& [key, item] : sorted) {
      if (item.kind == LayoutNode::kField) node->fields.set(static_cast<size_t>(item.id));
      if (item.kind == LayoutNode::kNamespace) node->fields |= item.child->fields;
      node->items.push_back(std::move(item));
    }
    nodes_.push_back(std::move(node));
    return nodes_.back().get();
  }

  std::vector<std::unique_ptr<LayoutNode>> nodes_;
  const LayoutNode* root_ = nullptr;
};

const Layout& TheLayout() {
  static const Layout kLayout;
  return kLayout;
}

void AppendValue(const match::EventRecord& r, lang::FieldId id, std::string* out) {
  switch (lang::Field(id).type) {
    case lang::Type::kString:
      AppendJsonString(out, r.String(id));
      return;
    case lang::Type::kInt:
      AppendJsonInt(out, r.Int(id));
      return;
    case lang::Type::kUint:
    case lang::Type::kFlags:
      AppendJsonUint(out, r.Uint(id));
      return;
    case lang::Type::kBool:
      AppendJsonBool(out, r.Bool(id));
      return;
    case lang::Type::kAddress:
      AppendJsonString(out, IpAddressText(r.Address(id)));
      return;
    case lang::Type::kStringList: {
      out->push_back('[');
      bool first = true;
      for (const auto& s : r.List(id)) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(out, s);
      }
      out->push_back(']');
      return;
    }
  }
}

// The members of one object (without its braces).
void AppendMembers(const LayoutNode& node, const match::EventRecord& r, bool metadata,
                   std::string* out) {
  bool any = false;
  for (const auto& item : node.items) {
    auto key = [&] {
      if (any) out->push_back(',');
      AppendJsonKey(out, item.key);
    };
    switch (item.kind) {
      case LayoutNode::kField:
        if (!r.Has(item.id)) continue;
        key();
        AppendValue(r, item.id, out);
        break;
      case LayoutNode::kNamespace:
        // RecordToJson makes a namespace only for a field under it.
        if ((r.present() & item.child->fields).none()) continue;
        key();
        out->push_back('{');
        AppendMembers(*item.child, r, metadata, out);
        out->push_back('}');
        break;
      case LayoutNode::kIncomplete:
        if (!metadata || !r.incomplete()) continue;
        key();
        out->append("true");
        break;
      case LayoutNode::kPolicyVersion:
        if (!metadata || r.policy_version() == 0) continue;
        key();
        AppendJsonUint(out, r.policy_version());
        break;
      case LayoutNode::kPolicies:
        if (!metadata || r.policies() == ~uint64_t{0}) continue;
        key();
        AppendJsonUint(out, r.policies());
        break;
    }
    any = true;
  }
}

}  // namespace

void AppendRecordJson(const match::EventRecord& r, const RecordJsonOptions& options,
                      std::string* out) {
  out->push_back('{');
  AppendMembers(TheLayout().root(), r, options.metadata, out);
  out->push_back('}');
}

}  // namespace vigil::output
